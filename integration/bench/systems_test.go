package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLogLine(t *testing.T) {
	tests := []struct {
		line string
		want map[string]string
	}{
		{`time=2025-01-01T00:00:00Z level=INFO msg=listening proto=pg addr=127.0.0.1:40123`,
			map[string]string{"time": "2025-01-01T00:00:00Z", "level": "INFO", "msg": "listening", "proto": "pg", "addr": "127.0.0.1:40123"}},
		{`level=INFO msg="listening" proto=http addr="127.0.0.1:8080"`,
			map[string]string{"level": "INFO", "msg": "listening", "proto": "http", "addr": "127.0.0.1:8080"}},
		{`msg="a \"quoted\" word" k=v`, map[string]string{"msg": `a "quoted" word`, "k": "v"}},
		{`msg="unterminated`, map[string]string{"msg": "unterminated"}},
		{`plain text without pairs`, map[string]string{}},
		{`junk words msg=x`, map[string]string{"msg": "x"}},
		{``, map[string]string{}},
	}
	for _, tc := range tests {
		got := parseLogLine(tc.line)
		if len(got) != len(tc.want) {
			t.Fatalf("parseLogLine(%q) = %v, want %v", tc.line, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Fatalf("parseLogLine(%q)[%q] = %q, want %q", tc.line, k, got[k], v)
			}
		}
	}
}

func FuzzParseLogLine(f *testing.F) {
	f.Add(`time=x level=INFO msg=listening proto=pg addr=127.0.0.1:1`)
	f.Add(`msg="a \"b\" c" d=`)
	f.Add(`="" = =x "`)
	f.Add(`msg="\`)
	f.Fuzz(func(t *testing.T, line string) {
		parseLogLine(line) // must not panic or loop
	})
}

func TestKalamBinaryMissing(t *testing.T) {
	_, err := kalamBinary(filepath.Join(t.TempDir(), "kalamdb"))
	if err == nil || !strings.Contains(err.Error(), "go build -o bin/kalamdb ./cmd/kalamdb") || !strings.Contains(err.Error(), "-systems pg") {
		t.Fatalf("kalamBinary(missing) = %v, want a clear how-to-fix error", err)
	}
}

// fakeKalam writes a script that behaves like `kalamdb serve` as far as the
// bench cares: it logs its listeners, then waits for a signal.
func fakeKalam(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kalamdb")
	script := "#!/bin/sh\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatalf("write fake: %v", err)
	}
	return path
}

func TestStartKalamParsesAddresses(t *testing.T) {
	bin := fakeKalam(t, `echo "time=t level=INFO msg=starting data=$3" >&2
echo 'time=t level=INFO msg=listening proto=http addr=127.0.0.1:8081' >&2
echo 'time=t level=INFO msg=listening proto=pg addr=127.0.0.1:5433' >&2
trap 'exit 0' TERM
while true; do sleep 0.05; done`)
	cfg := &config{log: &bytes.Buffer{}}
	k, err := startKalam(context.Background(), cfg, bin, "async")
	if err != nil {
		t.Fatalf("startKalam: %v", err)
	}
	if k.pgAddr != "127.0.0.1:5433" || k.httpAddr != "127.0.0.1:8081" {
		t.Fatalf("addresses = %q, %q", k.pgAddr, k.httpAddr)
	}
	if got, want := k.dsn(), "postgres://root@127.0.0.1:5433/kalamdb?sslmode=disable"; got != want {
		t.Fatalf("dsn = %q, want %q", got, want)
	}
	if err := k.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(k.dir); !os.IsNotExist(err) {
		t.Fatalf("data dir left behind: %v", err)
	}
}

func TestStartKalamExitReportsLog(t *testing.T) {
	bin := fakeKalam(t, `echo 'level=ERROR msg="bad flag" flag=--durability' >&2; exit 2`)
	cfg := &config{log: &bytes.Buffer{}}
	_, err := startKalam(context.Background(), cfg, bin, "fsync")
	if err == nil || !strings.Contains(err.Error(), "bad flag") {
		t.Fatalf("startKalam(exiting binary) = %v, want an error with its log", err)
	}
}

func TestProcFieldKB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	os.WriteFile(path, []byte("Name:\tx\nVmRSS:\t  2048 kB\nPss: 7 kB\n"), 0o644)
	tests := []struct {
		field string
		want  int64
		ok    bool
	}{
		{"VmRSS:", 2048, true},
		{"Pss:", 7, true},
		{"VmSwap:", 0, false},
	}
	for _, tc := range tests {
		got, err := procFieldKB(path, tc.field)
		if (err == nil) != tc.ok || got != tc.want {
			t.Fatalf("procFieldKB(%s) = %d, %v; want %d", tc.field, got, err, tc.want)
		}
	}
}

func TestDu(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "skip"), 0o755)
	os.WriteFile(filepath.Join(dir, "a"), bytes.Repeat([]byte("x"), 64*1024), 0o644)
	os.WriteFile(filepath.Join(dir, "skip", "b"), bytes.Repeat([]byte("x"), 256*1024), 0o644)
	all, err := du(dir, "")
	if err != nil {
		t.Fatalf("du: %v", err)
	}
	some, err := du(dir, filepath.Join(dir, "skip"))
	if err != nil {
		t.Fatalf("du skip: %v", err)
	}
	if some < 64*1024 || all-some < 256*1024 {
		t.Fatalf("du = %d, without skip/ %d; want at least 64 KiB and 256 KiB more", all, some)
	}
}
