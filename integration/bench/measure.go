package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kalamdb/kalamdb/integration/pgrun"
)

// Measurements read from the file system and /proc: disk use for W6,
// process memory for W5.

// du sums the disk blocks used under dir, like du(1), skipping skip.
func du(dir, skip string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked (temp files)
			}
			return err
		}
		if path == skip {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("du %s: %w", dir, err)
	}
	return total, nil
}

func smapsRollupKB(pid int, field string) (int64, error) {
	return procFieldKB(fmt.Sprintf("/proc/%d/smaps_rollup", pid), field)
}

func procStatusBytes(pid int, field string) (int64, error) {
	kb, err := procFieldKB(fmt.Sprintf("/proc/%d/status", pid), field)
	return kb * 1024, err
}

// procFieldKB reads a "Name:   123 kB" line from a /proc file.
func procFieldKB(path, field string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no %s line", path, field)
}

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat CPU times.
const clockTicks = 100

// procCPU returns the CPU time (user + system) a process has used, all its
// threads together.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime, the 14th and 15th fields of a
// /proc/<pid>/stat line.
func parseStatCPU(stat string) (time.Duration, error) {
	f, err := pgrun.StatFields(stat, 13)
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse stat cpu: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
