package pgxsuite

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Entry is one line of the expected-failure list.
type Entry struct {
	Test   string // "pgconn.TestConnCopyFrom"
	Reason string
	Line   int
}

// Flaky reports whether the entry's test may pass or fail: its reason
// starts with "flaky".
func (e Entry) Flaky() bool {
	return len(e.Reason) >= 5 && strings.EqualFold(e.Reason[:5], "flaky")
}

// ParseExpected reads an expected-failure list: one test per line, the
// test's name, then a tab or " # ", then why it fails. Blank lines and
// lines starting with '#' are comments. A line without a reason, a name
// with spaces or a test listed twice is an error, so the list stays
// readable and honest.
func ParseExpected(r io.Reader) (map[string]Entry, error) {
	list := map[string]Entry{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		if !ok {
			name, reason, ok = strings.Cut(line, " # ")
		}
		name, reason = strings.TrimSpace(name), strings.TrimSpace(reason)
		if !ok || reason == "" {
			return nil, fmt.Errorf("line %d: %q: want name, tab or \" # \", reason", n, line)
		}
		if name == "" || strings.ContainsAny(name, " \t") || !strings.Contains(name, ".") {
			return nil, fmt.Errorf("line %d: bad test name %q: want package.TestName", n, name)
		}
		if prev, dup := list[name]; dup {
			return nil, fmt.Errorf("line %d: %s already listed on line %d", n, name, prev.Line)
		}
		list[name] = Entry{Test: name, Reason: reason, Line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read expected failures: %w", err)
	}
	return list, nil
}
