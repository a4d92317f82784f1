package main

import (
	"io"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"320MB", 320 << 20}, {"2GB", 2 << 30}, {"64kB", 64 << 10}, {"1048576", 1 << 20},
		{"512mb", 512 << 20}, {" 1 TB ", 1 << 40}, {"100b", 100},
	} {
		if got, err := parseSize(c.in); err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "MB", "1.5GB", "-1MB", "12 parsecs", "9999999TB"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestServeRefusesBadCacheSizes(t *testing.T) {
	for _, c := range []struct{ size, want string }{
		{"1MB", "--cache-size (KALAMDB_CACHE_SIZE) must be at least 16MB, not 1MB"},
		{"lots", `--cache-size (KALAMDB_CACHE_SIZE): invalid size "lots"`},
	} {
		err := serve([]string{"--data", t.TempDir(), "--cache-size", c.size}, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("serve --cache-size %s: %v, want %q", c.size, err, c.want)
		}
	}
}

func TestSetMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // restore
	if got := setMemoryLimit(320<<20, ""); got != "1088MB" {
		t.Errorf("limit for 320MB of caches = %s, want 1088MB", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1088<<20 {
		t.Errorf("runtime limit = %d, want %d", got, 1088<<20)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := setMemoryLimit(320<<20, "2GiB"); got != "GOMEMLIMIT=2GiB" {
		t.Errorf("with GOMEMLIMIT set: %s", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("runtime limit changed to %d although GOMEMLIMIT was set", got)
	}
}
