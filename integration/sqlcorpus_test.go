package integration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The differential corpus lives in testdata/sqlcorpus/*.sql, one file per
// feature. Entries are separated by blank lines; an entry is one query (or
// a few statements sent as one simple query) preceded by optional comment
// lines. Comment lines that are directives:
//
//	-- bag             rows are compared as a multiset (no ORDER BY decides)
//	-- error 42703     the query must fail with this SQLSTATE on both systems
//	-- rollback        run inside BEGIN ... ROLLBACK so the data stays as loaded
//	-- cleanup SQL     run after the entry on both systems, errors ignored
//	-- known REASON    a difference KalamDB accepts for now: reported, not failed
//
// Any other comment line is documentation.

// corpusEntry is one query of the corpus with its directives.
type corpusEntry struct {
	pos      string // file:line, for failure messages
	feature  string // the file's base name
	sql      string
	bag      bool
	wantErr  string
	rollback bool
	cleanup  []string
	known    string // why KalamDB differs, for a known difference
}

// loadCorpus reads every *.sql file of dir in name order.
func loadCorpus(dir string) ([]corpusEntry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list corpus: %w", err)
	}
	sort.Strings(files)
	var out []corpusEntry
	for _, f := range files {
		entries, err := parseCorpusFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	return out, nil
}

func parseCorpusFile(path string) ([]corpusEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()
	feature := strings.TrimSuffix(filepath.Base(path), ".sql")
	var (
		out  []corpusEntry
		cur  corpusEntry
		body []string
	)
	flush := func() {
		if len(body) > 0 {
			cur.sql = strings.TrimSpace(strings.Join(body, "\n"))
			out = append(out, cur)
		}
		cur, body = corpusEntry{feature: feature}, nil
	}
	flush()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case len(body) == 0 && strings.HasPrefix(trimmed, "--"):
			if cur.pos == "" {
				cur.pos = fmt.Sprintf("%s:%d", filepath.Base(path), n)
			}
			if err := cur.directive(strings.TrimSpace(strings.TrimPrefix(trimmed, "--"))); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
		default:
			if len(body) == 0 {
				cur.pos = fmt.Sprintf("%s:%d", filepath.Base(path), n)
			}
			body = append(body, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	flush()
	return out, nil
}

// directive applies one comment line; plain comments are ignored.
func (e *corpusEntry) directive(c string) error {
	word, rest, _ := strings.Cut(c, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "bag":
		e.bag = true
	case "rollback":
		e.rollback = true
	case "error":
		if len(rest) != 5 {
			return fmt.Errorf("error directive needs a 5-character SQLSTATE, got %q", rest)
		}
		e.wantErr = rest
	case "known":
		if rest == "" {
			return fmt.Errorf("known directive needs a reason")
		}
		e.known = rest
	case "cleanup":
		if rest == "" {
			return fmt.Errorf("cleanup directive needs SQL")
		}
		e.cleanup = append(e.cleanup, rest)
	}
	return nil
}
