package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childServer is the kalamdb binary running as a child process.
type childServer struct {
	cmd  *exec.Cmd
	addr string
	log  *logBuffer
	done chan struct{} // closed when the process has exited
}

var listenLine = regexp.MustCompile(`proto=pg addr=(\S+)`)

// startChild runs `kalamdb serve` on dir and waits for its pg address;
// env entries (KEY=value) are added to the child's environment.
func startChild(t *testing.T, bin, dir string, env ...string) *childServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", dir, "--pg-addr", "127.0.0.1:0",
		"--http-addr", "127.0.0.1:0", "--durability", "fsync")
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	cs := &childServer{cmd: cmd, log: &logBuffer{}, done: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(cs.log, line)
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case addrc <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(cs.done)
	}()
	t.Cleanup(func() {
		cs.kill()
		if t.Failed() {
			t.Logf("child log:\n%s", tail(cs.log.String(), 8000))
		}
	})
	select {
	case cs.addr = <-addrc:
	case <-cs.done:
		t.Fatalf("kalamdb serve exited before listening:\n%s", cs.log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("kalamdb serve did not log its address:\n%s", cs.log.String())
	}
	return cs
}

// kill sends SIGKILL and waits for the process to be gone.
func (cs *childServer) kill() {
	select {
	case <-cs.done:
		return
	default:
	}
	_ = cs.cmd.Process.Kill()
	<-cs.done
}

// TestCrashDurability: 8 writers insert into a child server started with
// --durability fsync; after kill -9 and a restart every acknowledged row
// is present.
func TestCrashDurability(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cs := startChild(t, bin, dir)
	root := connect(t, dsnFor(cs.addr, "root", ""))
	mustExec(t, root,
		`CREATE TABLE crash (id bigint PRIMARY KEY, writer integer NOT NULL DEFAULT -1, payload text)`,
		`CREATE USER user_alice WITH PASSWORD 'pw'`,
		`CREATE TABLE crash_user (id bigint PRIMARY KEY, payload text) WITH (type = 'user')`)
	root.Close(context.Background())

	const writers = 8
	acked := make([][]int64, writers) // acked[w]: ids whose INSERT returned success
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < writers; w++ {
		user, pw, table := "root", "", "crash"
		if w%2 == 1 { // half the writers go to a user table's partition
			user, pw, table = "user_alice", "pw", "crash_user"
		}
		conn := connect(t, dsnFor(cs.addr, user, pw))
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx := context.Background()
			for i := int64(0); ; i++ {
				id := int64(w)*1_000_000 + i
				var err error
				if table == "crash" {
					_, err = conn.Exec(ctx, `INSERT INTO crash (id, writer, payload) VALUES ($1, $2, $3)`, id, int32(w), fmt.Sprintf("row %d", id))
				} else {
					_, err = conn.Exec(ctx, `INSERT INTO crash_user (id, payload) VALUES ($1, $2)`, id, fmt.Sprintf("row %d", id))
				}
				if err != nil {
					return // the server is gone
				}
				acked[w] = append(acked[w], id)
			}
		}()
	}
	close(start)
	time.Sleep(2 * time.Second)
	cs.kill()
	wg.Wait()

	total := 0
	for _, a := range acked {
		total += len(a)
	}
	t.Logf("%d inserts acknowledged before kill -9", total)
	if total == 0 {
		t.Fatalf("no insert was acknowledged in 2s")
	}

	cs = startChild(t, bin, dir)
	present := map[string]map[int64]bool{}
	for _, who := range []struct{ user, pw, table string }{{"root", "", "crash"}, {"user_alice", "pw", "crash_user"}} {
		conn := connect(t, dsnFor(cs.addr, who.user, who.pw))
		ids := map[int64]bool{}
		for _, r := range queryText(t, conn, `SELECT id FROM `+who.table) {
			id, err := strconv.ParseInt(r[0], 10, 64)
			if err != nil {
				t.Fatalf("id %q: %v", r[0], err)
			}
			ids[id] = true
		}
		present[who.table] = ids
		// The restarted server takes writes.
		mustExec(t, conn, `INSERT INTO `+who.table+` (id, payload) VALUES (-1, 'after restart')`)
	}
	missing := 0
	for w, ids := range acked {
		table := "crash"
		if w%2 == 1 {
			table = "crash_user"
		}
		for _, id := range ids {
			if !present[table][id] {
				if missing < 10 {
					t.Errorf("acknowledged row %d (writer %d, %s) missing after crash", id, w, table)
				}
				missing++
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged rows lost", missing, total)
	}
}
