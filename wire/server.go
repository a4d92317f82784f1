package wire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kalamdb/kalamdb/wire/sockpoll"
)

// AuthMode chooses how pgwire clients prove who they are.
type AuthMode int

const (
	// AuthAuto asks for a cleartext password (password or JWT) over TLS or
	// loopback and uses SCRAM-SHA-256 elsewhere.
	AuthAuto AuthMode = iota
	// AuthPassword always asks for a cleartext password, but refuses plain
	// TCP from another host.
	AuthPassword
	// AuthSCRAM always uses SCRAM-SHA-256.
	AuthSCRAM
)

// ParseAuthMode reads "auto", "password" or "scram-sha-256".
func ParseAuthMode(s string) (AuthMode, error) {
	switch strings.ToLower(s) {
	case "auto", "":
		return AuthAuto, nil
	case "password":
		return AuthPassword, nil
	case "scram-sha-256":
		return AuthSCRAM, nil
	}
	return 0, fmt.Errorf("invalid pg auth mode %q (want auto, password or scram-sha-256)", s)
}

// String returns the mode's name as ParseAuthMode reads it.
func (m AuthMode) String() string {
	switch m {
	case AuthPassword:
		return "password"
	case AuthSCRAM:
		return "scram-sha-256"
	}
	return "auto"
}

// Config configures a Server. The zero value works: no TLS, AuthAuto.
type Config struct {
	TLS            *tls.Config  // enables SSLRequest; nil answers 'N'
	Auth           AuthMode     // how passwords are asked for
	MaxMessageSize int          // largest message body accepted; default 16 MiB
	ServerVersion  string       // reported server_version; default "15.8"
	Logger         *slog.Logger // nil discards logs
}

const (
	defaultMaxMessageSize = 16 << 20
	defaultServerVersion  = "15.8"
	// startupTimeout bounds the handshake and authentication, as
	// PostgreSQL's authentication_timeout does, so idle sockets cannot pile up.
	startupTimeout = 60 * time.Second
	// shutdownWriteGrace is how long a connection may take to write its
	// final FATAL message once the server shuts down.
	shutdownWriteGrace = 2 * time.Second
)

// shutdownReadDeadline, long past, fails a connection's read at once when
// the server shuts down or the connection is terminated.
var shutdownReadDeadline = time.Unix(1, 0)

// Server serves the PostgreSQL protocol v3 to clients, on top of a Backend.
type Server struct {
	cfg     Config
	backend Backend
	log     *slog.Logger

	// ctx is the parent of every connection's context; cancel ends them all.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per connection goroutine

	bufs bufPools // read and write buffers lent to busy connections
	work *workers // run connections' handshakes and messages
	// busyWindow is how long a worker waits for a connection's next
	// message (busy.go); tests change it before Serve.
	busyWindow time.Duration
	// pollBusy lets a worker wait in the busy window by blocking its
	// thread in poll(2) rather than through the netpoller, while at most
	// maxPollers connections are answering (pollwait.go); tests turn it off.
	pollBusy   bool
	maxPollers int32
	answering  atomic.Int32  // connections in conn.answer
	polls      atomic.Uint64 // busy-window waits done by poll, for tests
	deliver    *deliverers   // write notifications to idle connections
	nextPID    atomic.Uint32
	mockKey    []byte // keys auth.MockVerifier for unknown users

	mu        sync.Mutex // guards closed, listeners, conns and byPID
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[uint32]*conn // authenticated connections, for CancelRequest
}

// NewServer returns a server that opens sessions on b.
func NewServer(cfg Config, b Backend) *Server {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = defaultMaxMessageSize
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = defaultServerVersion
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:       cfg,
		backend:   b,
		log:       log,
		ctx:       ctx,
		cancel:    cancel,
		mockKey:   randomBytes(32),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		byPID:     make(map[uint32]*conn),
	}
	s.work = newWorkers(ctx.Done())
	s.busyWindow = defaultBusyWindow
	s.pollBusy = sockpoll.Supported
	s.maxPollers = int32(runtime.GOMAXPROCS(0) - 1)
	s.deliver = newDeliverers(ctx.Done())
	// A random base keeps pids of different server runs apart, so a stale
	// CancelRequest is unlikely to hit a new connection.
	s.nextPID.Store(binary.BigEndian.Uint32(randomBytes(4))>>2 + 1000)
	return s
}

// Serve accepts connections on ln until Shutdown, then returns nil. Each
// connection is served by its own goroutine.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: wait, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept", "err", err, "retry_in", backoff)
				select {
				case <-time.After(backoff):
				case <-s.ctx.Done():
				}
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		backoff = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return nil
		}
		// Add under mu so it cannot race with Shutdown's Wait.
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
}

// Shutdown stops accepting, ends every connection (clients get FATAL 57P01)
// and waits for their goroutines. If ctx ends first, the remaining sockets
// are closed and ctx.Err() is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()
	s.cancel()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.raw.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// track registers c while its goroutine runs; the returned func removes it.
func (s *Server) track(c *conn) func() {
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.conns, c)
		if c.pid != 0 && s.byPID[c.pid] == c {
			delete(s.byPID, c.pid)
		}
		s.mu.Unlock()
	}
}

// newKey assigns c its BackendKeyData and makes it reachable by
// CancelRequest.
func (s *Server) newKey(c *conn) {
	c.pid = s.nextPID.Add(1)
	copy(c.secret[:], randomBytes(len(c.secret)))
	s.mu.Lock()
	s.byPID[c.pid] = c
	s.mu.Unlock()
}

func (s *Server) lookupPID(pid uint32) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byPID[pid]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics on failure)
	return b
}
