package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	osexec "os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// chromiumPath is Debian's chromium, installed by .ci/run.
const chromiumPath = "/usr/bin/chromium"

// TestDemoPageInChromium loads the demo page in headless Chromium, pastes
// a token and subscribes through the page's own controls (driven over the
// DevTools protocol), inserts a message over pgwire, and waits for the
// page to show it.
func TestDemoPageInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is required (apt-get install chromium): %v", err)
	}
	ts := startServer(t, gateway.Limits{}, true)
	exec(t, ts.pg("root", auth.RoleSystem), messagesDDL)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	page := startChromium(ctx, t, "http://"+ts.HTTPAddr()+"/")
	page.waitFor(ctx, `document.getElementById("go") !== null`)
	token := ts.token("user_alice", auth.RoleUser)
	page.eval(ctx, fmt.Sprintf(`document.getElementById("token").value = %q; document.getElementById("go").click(); true`, token))
	page.waitFor(ctx, `document.getElementById("status").textContent.startsWith("Subscribed")`)

	exec(t, ts.pg("user_alice", auth.RoleUser), "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'hello from pgwire')")
	page.waitFor(ctx, `document.getElementById("log").textContent.includes("hello from pgwire")`)
	if got := page.eval(ctx, `document.getElementById("log").textContent`); !strings.Contains(got, "insert public.messages") {
		t.Fatalf("log = %q, want the insert shown", got)
	}
}

// cdpPage is one Chromium tab driven over the DevTools protocol.
type cdpPage struct {
	t    *testing.T
	conn *websocket.Conn
	id   int
}

var devtoolsURL = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

func startChromium(ctx context.Context, t *testing.T, url string) *cdpPage {
	t.Helper()
	cmd := osexec.CommandContext(ctx, chromiumPath, "--headless=new", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-extensions", "--remote-debugging-port=0",
		"--user-data-dir="+t.TempDir(), url)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	browser := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsURL.FindStringSubmatch(sc.Text()); m != nil {
				browser <- m[1]
			}
		}
	}()
	var wsURL string
	select {
	case wsURL = <-browser:
	case <-ctx.Done():
		t.Fatal("chromium printed no DevTools address")
	}
	// The page's own endpoint: http://host:port/json/list names it.
	host := strings.SplitN(strings.TrimPrefix(wsURL, "ws://"), "/", 2)[0]
	var pageURL string
	for deadline := time.Now().Add(20 * time.Second); pageURL == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + host + "/json/list")
		if err != nil {
			continue
		}
		var targets []struct {
			Type, URL            string
			WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&targets)
		resp.Body.Close()
		for _, tg := range targets {
			if tg.Type == "page" && strings.HasPrefix(tg.URL, url) {
				pageURL = tg.WebSocketDebuggerURL
			}
		}
	}
	if pageURL == "" {
		t.Fatal("chromium shows no page for the demo")
	}
	conn, _, err := websocket.Dial(ctx, pageURL, nil)
	if err != nil {
		t.Fatalf("devtools: %v", err)
	}
	conn.SetReadLimit(16 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &cdpPage{t: t, conn: conn}
}

// eval evaluates expr in the page and returns its value as text.
func (p *cdpPage) eval(ctx context.Context, expr string) string {
	p.t.Helper()
	p.id++
	req, _ := json.Marshal(map[string]any{"id": p.id, "method": "Runtime.evaluate",
		"params": map[string]any{"expression": expr, "returnByValue": true}})
	if err := p.conn.Write(ctx, websocket.MessageText, req); err != nil {
		p.t.Fatalf("devtools write: %v", err)
	}
	for {
		_, data, err := p.conn.Read(ctx)
		if err != nil {
			p.t.Fatalf("devtools read: %v", err)
		}
		var resp struct {
			ID     int
			Result struct {
				Result struct {
					Value any
				}
				ExceptionDetails *struct{ Text string }
			}
		}
		if json.Unmarshal(data, &resp) != nil || resp.ID != p.id {
			continue // an event
		}
		if e := resp.Result.ExceptionDetails; e != nil {
			p.t.Fatalf("%s: %s", expr, e.Text)
		}
		return fmt.Sprint(resp.Result.Result.Value)
	}
}

// waitFor polls cond (a JavaScript boolean expression) until it is true.
func (p *cdpPage) waitFor(ctx context.Context, cond string) {
	p.t.Helper()
	for {
		if p.eval(ctx, cond) == "true" {
			return
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("timed out waiting for %s; page text: %s", cond, p.eval(context.Background(), "document.body.innerText"))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
