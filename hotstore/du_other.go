//go:build !unix

package hotstore

import (
	"fmt"
	"os"
	"strings"
)

// diskUsage returns the sizes of the .sst and .vlog files in dir (apparent
// sizes: allocated blocks need a Unix stat).
func diskUsage(dir string) (sst, vlog int64, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("disk usage of %s: %w", dir, err)
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			continue // compacted or collected meanwhile
		}
		switch {
		case strings.HasSuffix(e.Name(), ".sst"):
			sst += info.Size()
		case strings.HasSuffix(e.Name(), ".vlog"):
			vlog += info.Size()
		}
	}
	return sst, vlog, nil
}
