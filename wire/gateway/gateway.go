package gateway

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/sql"
)

// Database is what the gateway needs from the database; *kalamdb.DB is
// one.
type Database interface {
	Session(user string, pid uint32, params map[string]string) (*sql.Session, error)
	// VerifyToken checks a JWT and creates its user on first sight.
	VerifyToken(ctx context.Context, token string) (string, error)
	JWT() *auth.JWT
	Hub() *notify.Hub
	Engine() *sql.Engine
}

// TableName names a per-user table.
type TableName struct{ Schema, Name string }

func (t TableName) String() string { return t.Schema + "." + t.Name }

// Config configures a Gateway.
type Config struct {
	DB     Database
	Logger *slog.Logger
	// Demo serves the demo page at /.
	Demo bool
	// Limits bound requests and connections; zero fields take defaults.
	Limits Limits
	// UserTables lists the per-user tables that a
	// {"type":"subscribe","userId":...} subscription replays; nil means
	// public.messages only.
	UserTables func() []TableName
	// OriginPatterns are extra origins allowed to open WebSockets
	// (coder/websocket's AcceptOptions.OriginPatterns); the request's own
	// host is always allowed.
	OriginPatterns []string
}

// Limits bound what one client can hold.
type Limits struct {
	MaxBodyBytes      int64         // HTTP request body (default 1 MiB)
	StatementTimeout  time.Duration // per HTTP request (default 30s)
	MaxMessageBytes   int64         // one WebSocket client message (default 64 KiB)
	MaxSubscriptions  int           // per WebSocket connection (default 32)
	MaxConnsPerUser   int           // open WebSockets per user (default 16)
	SendQueue         int           // queued messages per WebSocket (default 1024)
	SendQueueBytes    int           // queued bytes per WebSocket (default 4 MiB)
	WriteTimeout      time.Duration // one WebSocket write (default 10s)
	PingInterval      time.Duration // server pings (default 30s)
	MaxLastRows       int           // live query options.last_rows (default 1000)
	RowBatch          int           // rows per "rows" message (default 100)
	DedupeWindow      time.Duration // see the package comment (default 5s)
	DefaultLastRows   int           // last_rows when the client gives none (default 20)
	MaxReplayInFlight int           // replayed changes read ahead per table (default 256)
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = 64 << 10
	}
	defDur(&l.StatementTimeout, 30*time.Second)
	defDur(&l.WriteTimeout, 10*time.Second)
	defDur(&l.PingInterval, 30*time.Second)
	defDur(&l.DedupeWindow, 5*time.Second)
	def(&l.MaxSubscriptions, 32)
	def(&l.MaxConnsPerUser, 16)
	def(&l.SendQueue, 1024)
	def(&l.SendQueueBytes, 4<<20)
	def(&l.MaxLastRows, 1000)
	def(&l.RowBatch, 100)
	def(&l.DefaultLastRows, 20)
	def(&l.MaxReplayInFlight, 256)
	return l
}

// pidBase starts the gateway's session pids far above the protocol
// server's, so a notification's pid tells which front door sent it.
const pidBase = 1 << 30

// Gateway serves HTTP and WebSocket clients.
type Gateway struct {
	db      Database
	log     *slog.Logger
	limits  Limits
	demo    bool
	tables  func() []TableName
	origins []string
	mux     *http.ServeMux
	metrics *metrics

	ctx    context.Context // canceled by Close: ends every request and WebSocket
	cancel context.CancelFunc
	wg     sync.WaitGroup // WebSocket connections (hijacked: http.Server does not wait)
	pids   atomic.Uint32
	pool   *sessionPool // parameterized HTTP queries' sessions (sessions.go)
	poller *poller      // watches parked WebSocket connections (wspark.go)
	// keepAlive lets an idle keep-alive connection wait in poll(2) for its
	// next request (keepalive.go).
	keepAlive keepAliveWait
	scratch   sync.Pool // *writerScratch of WebSocket writers
	bodies    sync.Pool // *[]byte: HTTP response bodies
	// jsonType is the Content-Type value of every JSON response, shared
	// rather than allocated per response (net/http copies the header).
	jsonType []string

	// mu guards perUser and conns. Lock order: mu before a wsConn's mu.
	mu      sync.Mutex
	perUser map[string]int // open WebSockets per user
	conns   *wsConn        // open WebSockets, linked through wsConn.prevConn/nextConn
}

// New returns a gateway over cfg.DB.
func New(cfg Config) *Gateway {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tables := cfg.UserTables
	if tables == nil {
		tables = func() []TableName { return []TableName{{"public", "messages"}} }
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Gateway{
		db: cfg.DB, log: log, limits: cfg.Limits.withDefaults(), demo: cfg.Demo,
		tables: tables, origins: cfg.OriginPatterns,
		ctx: ctx, cancel: cancel, perUser: make(map[string]int), pool: newSessionPool(),
		keepAlive: newKeepAliveWait(),
	}
	g.scratch.New = func() any { return new(writerScratch) }
	g.bodies.New = func() any { b := make([]byte, 0, 1024); return &b }
	g.jsonType = []string{"application/json"}
	g.poller = newPoller(ctx.Done(), log)
	context.AfterFunc(ctx, g.endConns)
	go g.pingLoop()
	g.metrics = newMetrics(cfg.DB.Hub())
	g.mux = http.NewServeMux()
	g.mux.HandleFunc("POST /api/v1/query", g.handleQuery)
	g.mux.HandleFunc("POST /v1/api/sql", g.handleQuery)
	g.mux.HandleFunc("GET /ws", g.handleWS)
	g.mux.HandleFunc("GET /healthz", g.handleHealth)
	g.mux.Handle("GET /metrics", g.metrics.handler())
	g.mux.HandleFunc("/", g.handleRoot)
	return g
}

// ServeHTTP routes a request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.keepAlive.inflight.Add(1)
	defer g.keepAlive.inflight.Add(-1)
	g.mux.ServeHTTP(w, r)
}

// ConnState counts open HTTP connections; set it as http.Server.ConnState.
func (g *Gateway) ConnState(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		g.metrics.httpConns.Inc()
	case http.StateHijacked, http.StateClosed:
		g.metrics.httpConns.Dec()
	}
}

// Close cancels every request and WebSocket and waits for the WebSockets
// to end (or ctx). Call it after http.Server.Shutdown stopped accepting.
func (g *Gateway) Close(ctx context.Context) error {
	g.cancel()
	g.pool.closeAll()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *Gateway) nextPID() uint32 { return pidBase + g.pids.Add(1) }

func (g *Gateway) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// acquireConn counts a WebSocket of user against MaxConnsPerUser.
func (g *Gateway) acquireConn(user string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.perUser[user] >= g.limits.MaxConnsPerUser {
		return false
	}
	g.perUser[user]++
	return true
}

func (g *Gateway) releaseConn(user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.perUser[user]--; g.perUser[user] <= 0 {
		delete(g.perUser, user)
	}
}

// track adds c to the open WebSockets, which Close ends; when the gateway
// is closing already, c ends at once.
func (g *Gateway) track(c *wsConn) {
	g.mu.Lock()
	c.nextConn = g.conns
	if c.nextConn != nil {
		c.nextConn.prevConn = c
	}
	g.conns = c
	closing := g.ctx.Err() != nil // endConns ran, or waits for mu
	g.mu.Unlock()
	if closing {
		c.cancel()
	}
}

// untrack removes c from the open WebSockets.
func (g *Gateway) untrack(c *wsConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.prevConn != nil {
		c.prevConn.nextConn = c.nextConn
	} else if g.conns == c {
		g.conns = c.nextConn
	}
	if c.nextConn != nil {
		c.nextConn.prevConn = c.prevConn
	}
	c.prevConn, c.nextConn = nil, nil
}

// endConns ends every open WebSocket, parked or busy, when the gateway
// closes: one callback on the gateway's context rather than a
// registration for each connection.
func (g *Gateway) endConns() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := g.conns; c != nil; c = c.nextConn {
		c.cancel()
	}
}
