package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/kalamdb/kalamdb/integration/pgrun"
)

// pgTestFsync runs pg_test_fsync once as context for the durable numbers:
// how many fdatasyncs per second this disk does bounds single-client
// durable commits on both systems. It returns the fdatasync line of the
// one-8kB-write section and the whole output. The quick profile stops the
// tool once that line is out (the full run takes about 20 seconds).
func pgTestFsync(ctx context.Context, cfg *config) (line, full string, err error) {
	dir, err := os.MkdirTemp("", "pg_test_fsync-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, filepath.Join(pgrun.DefaultBinDir, "pg_test_fsync"), "-s", "1", "-f", filepath.Join(dir, "test.out"))
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	cfg.logf("running pg_test_fsync -s 1")
	if err := cmd.Start(); err != nil {
		return "", "", fmt.Errorf("pg_test_fsync: %w", err)
	}
	var b strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		l := sc.Text()
		b.WriteString(l + "\n")
		if line == "" && strings.Contains(l, "fdatasync") && strings.Contains(l, "ops/sec") {
			line = strings.Join(strings.Fields(l), " ")
			if cfg.profile == "quick" {
				_ = cmd.Process.Kill()
				break
			}
		}
	}
	werr := cmd.Wait()
	if line == "" {
		return "", b.String(), fmt.Errorf("pg_test_fsync printed no fdatasync line (%v):\n%s", werr, b.String())
	}
	return line, b.String(), nil
}
