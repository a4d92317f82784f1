package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb"
)

// defaultCacheSize is kalamdb.DefaultCacheBytes as the flag shows it.
var defaultCacheSize = fmt.Sprintf("%dMB", kalamdb.DefaultCacheBytes>>20)

// sizeUnits are PostgreSQL's memory units (as in shared_buffers = 1GB):
// powers of 1024, case-insensitive here.
var sizeUnits = []struct {
	suffix string
	shift  uint
}{{"tb", 40}, {"gb", 30}, {"mb", 20}, {"kb", 10}, {"b", 0}}

// parseSize reads a byte count such as "512MB", "2GB", "64kB" or "1048576".
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	shift := uint(0)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			t, shift = strings.TrimSpace(num), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q: want a whole number of bytes, kB, MB, GB or TB", s)
	}
	if n > math.MaxInt64>>shift {
		return 0, errors.New("size " + s + " is too large")
	}
	return n << shift, nil
}
