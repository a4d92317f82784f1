package gateway_test

import (
	"context"
	"flag"

	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// The fan-out measurement runs small by default; the closing-note numbers
// come from e.g.
//
//	go test -run TestFanout -fanout.subscribers=10000 -fanout.rate=1000 -fanout.messages=20000 -v ./wire/gateway
var (
	fanoutSubs  = flag.Int("fanout.subscribers", 20, "WebSocket subscribers, one user each")
	fanoutRate  = flag.Int("fanout.rate", 500, "messages per second, spread over the subscribers")
	fanoutMsgs  = flag.Int("fanout.messages", 200, "messages to send")
	fanoutConns = flag.Int("fanout.writers", 4, "pgwire connections inserting")
)

// TestFanout measures WebSocket delivery latency (insert call to receipt)
// and memory per idle connection. Client and server share the process, so
// the memory figure is an upper bound for the server's share.
func TestFanout(t *testing.T) {
	raiseFileLimit()
	ts := setup(t, gateway.Limits{PingInterval: time.Hour})
	n := *fanoutSubs
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// Spread client sockets over 127.0.0.x so 10,000 connections do not
	// exhaust one source address's ports.
	client := func(i int) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/20000), byte(1+i%250))}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goBefore := runtime.NumGoroutine()

	conns := make([]*websocket.Conn, n)
	for i := range n {
		user := "fan_" + strconv.Itoa(i)
		u := "ws://" + ts.HTTPAddr() + "/ws?token=" + ts.token(user, auth.RoleUser)
		c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: client(i)})
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns[i] = c
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","userId":"`+user+`"}`)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil { // subscribed
			t.Fatalf("subscribe %d: %v", i, err)
		}
	}
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConn := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / float64(n)
	goPerConn := float64(runtime.NumGoroutine()-goBefore) / float64(n)

	// Receivers: latency = receipt time minus the send time in content.
	var mu sync.Mutex // guards lat
	lat := make([]time.Duration, 0, *fanoutMsgs)
	var wg sync.WaitGroup
	got := make(chan struct{}, *fanoutMsgs)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					return
				}
				now := time.Now()
				m := parseMsg(t, data)
				sent, err := strconv.ParseInt(str(m.Row["content"]), 10, 64)
				if m.Type != "change" || err != nil {
					continue
				}
				mu.Lock()
				lat = append(lat, now.Sub(time.Unix(0, sent)))
				mu.Unlock()
				got <- struct{}{}
			}
		}()
	}

	// Writers: paced jobs over a few pgwire connections, as service.
	jobs := make(chan int, *fanoutMsgs)
	var writers sync.WaitGroup
	for range *fanoutConns {
		conn := ts.pg("svc", auth.RoleService)
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range jobs {
				user := "fan_" + strconv.Itoa(i%n)
				sent := strconv.FormatInt(time.Now().UnixNano(), 10)
				if _, err := conn.Exec(ctx, "INSERT INTO "+user+".messages (content) VALUES ($1)", sent); err != nil {
					t.Errorf("insert: %v", err)
					return
				}
			}
		}()
	}
	interval := time.Second / time.Duration(*fanoutRate)
	start := time.Now()
	for i := range *fanoutMsgs {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		jobs <- i
	}
	close(jobs)
	writers.Wait()
	for range *fanoutMsgs {
		select {
		case <-got:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for deliveries")
		}
	}
	elapsed := time.Since(start)
	mu.Lock()
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	t.Logf("fan-out: %d subscribers, %d messages in %v (%.0f/s): delivery p50 %v p99 %v max %v",
		n, len(lat), elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(), p(0.5), p(0.99), lat[len(lat)-1])
	mu.Unlock()
	t.Logf("fan-out: memory per idle subscribed connection (client+server, heap+stacks): %.1f KB; goroutines per connection: %.2f",
		perConn/1024, goPerConn)
	for _, c := range conns {
		c.CloseNow()
	}
	wg.Wait()
}

func parseMsg(t *testing.T, data []byte) serverMsg {
	var m serverMsg
	if err := jsonUnmarshal(data, &m); err != nil {
		t.Errorf("bad message %q: %v", data, err)
	}
	return m
}

// raiseFileLimit lifts the soft descriptor limit to the hard one: each
// subscriber holds two sockets in this process.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
