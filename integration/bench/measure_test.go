package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and a ')' of its own; utime 250 and stime
	// 130 ticks.
	stat := "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 3 0 100 0 0"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3800 * time.Millisecond; got != want {
		t.Fatalf("cpu = %v, want %v", got, want)
	}
	if _, err := parseStatCPU("4242 (short) S 1"); err == nil {
		t.Fatal("a truncated stat line parsed")
	}
}

// TestProcCPUMatchesRusage reads this process's CPU time from /proc and
// checks it against getrusage(2), which counts the same thing at a finer
// grain.
func TestProcCPUMatchesRusage(t *testing.T) {
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++ // some CPU time to read
	}
	before := rusageCPU(t)
	got, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	after := rusageCPU(t)
	// /proc counts in 10 ms ticks.
	if got < before-20*time.Millisecond || got > after+20*time.Millisecond {
		t.Fatalf("procCPU = %v, getrusage %v..%v (x=%d)", got, before, after, x)
	}
}

func rusageCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
