package coldstore

import (
	"slices"
	"testing"
)

func TestParseFailpoint(t *testing.T) {
	for _, c := range []struct {
		in   string
		step string
		at   int64
	}{
		{"", "", 1},
		{"flush-renamed", "flush-renamed", 1},
		{"flush-renamed:3", "flush-renamed", 3},
		{"flush-renamed:0", "flush-renamed", 1},
		{"flush-renamed:x", "flush-renamed", 1},
	} {
		step, at := parseFailpoint(c.in)
		if step != c.step || at != c.at {
			t.Fatalf("parseFailpoint(%q) = %q, %d; want %q, %d", c.in, step, at, c.step, c.at)
		}
	}
}

// TestFailpointSteps: a flush and a compaction reach their documented
// steps in order, and an armed step exits on its n-th hit only. (The crash
// itself is proven end to end in integration/crash_flush_test.go.)
func TestFailpointSteps(t *testing.T) {
	s := openStore(t)
	var seen []string
	var exits []int
	s.fail = &failpoint{step: "flush-renamed", at: 2, exit: func(code int) { exits = append(exits, code) },
		seen: func(step string) { seen = append(seen, step) }}
	for p := range s.parts { // partitions copy the store's failpoint
		delete(s.parts, p)
	}
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "a"))
	if len(exits) != 0 {
		t.Fatalf("exit on the first hit of a :2 failpoint")
	}
	flush(t, s, testPart, chatSchema, msg(t, 2, 2, "c", "b"))
	s.Failpoint("flush-trim-partial")
	if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
		t.Fatalf("compact: %v", err)
	}
	want := []string{
		"flush-temp-written", "flush-renamed", "flush-manifest-written",
		"flush-temp-written", "flush-renamed", "flush-manifest-written",
		"flush-trim-partial",
		"compact-temp-written", "compact-renamed", "compact-manifest-written",
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("steps\n got %v\nwant %v", seen, want)
	}
	if !slices.Equal(exits, []int{3}) {
		t.Fatalf("exits %v, want [3]", exits)
	}
}
