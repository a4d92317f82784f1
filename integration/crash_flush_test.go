package integration

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kalamdb/kalamdb/coldstore"
)

// crashModel is what the clients were told: for each table, the body of
// every row whose last acknowledged write left it alive.
type crashModel map[string]map[int64]string

// crashTables are the tables of the flush crash test: a user table (as
// user_alice) and a shared one.
var crashTables = []struct{ name, role, dir string }{
	{"cm", "user_alice", "users/user_alice/public.cm"},
	{"cs", "", "shared/tables/public.cs"},
}

// TestCrashDuringFlush kills the real binary at each step of a flush and a
// compaction (KALAMDB_FAILPOINT, see package coldstore), restarts it, and
// checks that every acknowledged write is there exactly as acknowledged,
// that no deleted row came back, and that the partitions hold no file the
// manifest does not list.
func TestCrashDuringFlush(t *testing.T) {
	bin := buildBinary(t)
	for _, fp := range []string{
		"flush-temp-written:3", "flush-renamed:3", "flush-manifest-written:3",
		"flush-trim-partial:1",
		"compact-temp-written:1", "compact-renamed:1", "compact-manifest-written:1",
	} {
		t.Run(strings.ReplaceAll(fp, ":", "@"), func(t *testing.T) {
			dir := t.TempDir()
			cs := startChild(t, bin, dir, coldstore.FailpointEnv+"="+fp)
			conns := crashConns(t, cs.addr, true)
			model := crashModel{"cm": {}, "cs": {}}
			rng := rand.New(rand.NewPCG(7, uint64(len(fp))))
			crashed := false
			for round := 1; round <= 8 && !crashed; round++ {
				crashWrites(t, conns, model, rng, round)
				ctx, cancel := ctxT()
				_, err := conns[""].Exec(ctx, "SELECT kalamdb_flush_all()")
				cancel()
				crashed = err != nil
			}
			if !crashed {
				t.Fatalf("failpoint %s never fired in 8 flush rounds", fp)
			}
			select {
			case <-cs.done:
			case <-time.After(20 * time.Second):
				t.Fatalf("server still running after the failpoint")
			}
			if code := cs.cmd.ProcessState.ExitCode(); code != 3 {
				t.Fatalf("exit code %d, want 3 (failpoint):\n%s", code, tail(cs.log.String(), 4000))
			}

			// The steps before a manifest swap, and the compaction's swap
			// itself, leave files the manifest does not list: the restart
			// must ignore and remove them.
			stray := len(crashStrayFiles(t, dir))
			if wantStray := !strings.HasPrefix(fp, "flush-manifest") && !strings.HasPrefix(fp, "flush-trim"); (stray > 0) != wantStray {
				t.Fatalf("%d unlisted files after the crash, want some: %v", stray, wantStray)
			}

			cs = startChild(t, bin, dir)
			conns = crashConns(t, cs.addr, false)
			crashCheck(t, conns, model, "after restart")
			if stray := crashStrayFiles(t, dir); len(stray) > 0 {
				t.Fatalf("unlisted files after restart: %v", stray)
			}
			// The restarted server flushes, compacts and takes writes.
			for round := 9; round <= 10; round++ {
				crashWrites(t, conns, model, rng, round)
				mustExec(t, conns[""], "SELECT kalamdb_flush_all()")
			}
			crashCheck(t, conns, model, "after more flushes")
			if stray := crashStrayFiles(t, dir); len(stray) > 0 {
				t.Fatalf("unlisted files after more flushes: %v", stray)
			}
		})
	}
}

// crashConns connects as root and as root acting as user_alice, creating
// the schema first when setup is set.
func crashConns(t *testing.T, addr string, setup bool) map[string]*pgx.Conn {
	root := connect(t, dsnFor(addr, "root", ""))
	if setup {
		mustExec(t, root,
			"CREATE USER user_alice",
			"CREATE TABLE cm (id bigint PRIMARY KEY, body text) WITH (type = 'user')",
			"CREATE TABLE cs (id bigint PRIMARY KEY, body text)")
	}
	alice := connect(t, dsnFor(addr, "root", ""))
	mustExec(t, alice, "SET ROLE user_alice")
	return map[string]*pgx.Conn{"": root, "user_alice": alice}
}

// crashWrites inserts a batch into both tables (1100 rows in round 1, so
// a flush trims in more than one batch), updates and deletes a few
// existing rows (cold ones after the first flush), and records the
// acknowledged outcome in model.
func crashWrites(t *testing.T, conns map[string]*pgx.Conn, model crashModel, rng *rand.Rand, round int) {
	t.Helper()
	n := 30
	if round == 1 {
		n = 1100
	}
	for _, tb := range crashTables {
		conn, rows := conns[tb.role], model[tb.name]
		for lo := 0; lo < n; lo += 100 {
			var vals []string
			for i := lo; i < min(lo+100, n); i++ {
				id := int64(round*10000 + i)
				body := fmt.Sprintf("%s r%d i%d", tb.name, round, i)
				vals = append(vals, fmt.Sprintf("(%d, '%s')", id, body))
				rows[id] = body
			}
			mustExec(t, conn, "INSERT INTO "+tb.name+" VALUES "+strings.Join(vals, ", "))
		}
		ids := make([]int64, 0, len(rows))
		for id := range rows {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for k := 0; k < 8; k++ {
			id := ids[rng.IntN(len(ids))]
			if _, ok := rows[id]; !ok {
				continue
			}
			if k < 5 {
				body := fmt.Sprintf("%s updated r%d k%d", tb.name, round, k)
				mustExec(t, conn, fmt.Sprintf("UPDATE %s SET body = '%s' WHERE id = %d", tb.name, body, id))
				rows[id] = body
			} else {
				mustExec(t, conn, fmt.Sprintf("DELETE FROM %s WHERE id = %d", tb.name, id))
				delete(rows, id)
			}
		}
	}
}

// crashCheck compares each table with the model: same count, same rows.
func crashCheck(t *testing.T, conns map[string]*pgx.Conn, model crashModel, when string) {
	t.Helper()
	for _, tb := range crashTables {
		conn, rows := conns[tb.role], model[tb.name]
		if got := queryOne(t, conn, "SELECT count(*) FROM "+tb.name); got != strconv.Itoa(len(rows)) {
			t.Fatalf("%s: %s has %s rows, want %d", when, tb.name, got, len(rows))
		}
		got := queryText(t, conn, "SELECT id, body FROM "+tb.name+" ORDER BY id")
		ids := make([]int64, 0, len(rows))
		for id := range rows {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for i, id := range ids {
			want := []string{strconv.FormatInt(id, 10), rows[id]}
			if i >= len(got) || !slices.Equal(got[i], want) {
				t.Fatalf("%s: %s row %d: got %v, want %v", when, tb.name, i, got[min(i, len(got)-1)], want)
			}
		}
	}
}

// crashStrayFiles lists the files of the partition directories that are
// neither the manifest nor a segment it lists: temp files and orphans.
func crashStrayFiles(t *testing.T, dir string) []string {
	t.Helper()
	var stray []string
	for _, tb := range crashTables {
		pdir := filepath.Join(dir, tb.dir)
		entries, err := os.ReadDir(pdir)
		if os.IsNotExist(err) {
			continue // never flushed (the crash came first)
		}
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		data, err := os.ReadFile(filepath.Join(pdir, "manifest.json"))
		if err == nil {
			var m struct {
				Segments []struct {
					Path string `json:"path"`
				} `json:"segments"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("manifest of %s: %v", tb.name, err)
			}
			want = append(want, "manifest.json")
			for _, s := range m.Segments {
				want = append(want, s.Path)
			}
		} else if !os.IsNotExist(err) {
			t.Fatalf("manifest of %s: %v", tb.name, err)
		}
		for _, e := range entries {
			if !slices.Contains(want, e.Name()) {
				stray = append(stray, filepath.Join(tb.dir, e.Name()))
			}
		}
	}
	return stray
}
