//go:build unix

package hotstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// diskUsage returns the allocated bytes of the .sst and .vlog files in
// dir. Allocated, not apparent: Badger preallocates the active value log
// as a sparse file twice its configured size.
func diskUsage(dir string) (sst, vlog int64, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("disk usage of %s: %w", dir, err)
	}
	for _, e := range ents {
		isSST, isVlog := strings.HasSuffix(e.Name(), ".sst"), strings.HasSuffix(e.Name(), ".vlog")
		if !isSST && !isVlog {
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(dir, e.Name()), &st); err != nil {
			if os.IsNotExist(err) {
				continue // compacted or collected meanwhile
			}
			return 0, 0, fmt.Errorf("disk usage of %s: %w", dir, err)
		}
		if isSST {
			sst += st.Blocks * 512
		} else {
			vlog += st.Blocks * 512
		}
	}
	return sst, vlog, nil
}
