package main

import (
	"os"
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

// TestProcCPUGrows burns CPU in this process and reads it back.
func TestProcCPUGrows(t *testing.T) {
	before, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
		x++
	}
	after, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 50*time.Millisecond {
		t.Fatalf("cpu grew by %v over 100 ms of spinning (x=%d)", after-before, x)
	}
}
