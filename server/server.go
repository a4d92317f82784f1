package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kalamdb/kalamdb"
	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/wire"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// Config is everything a server needs; cmd/kalamdb fills it from flags.
type Config struct {
	DataDir      string
	PGAddr       string
	HTTPAddr     string // HTTP and WebSocket gateway; empty: none
	Durability   hotstore.Durability
	JWTSecret    []byte
	RootPassword string
	TLSCert      string
	TLSKey       string
	PGAuth       wire.AuthMode
	Logger       *slog.Logger
	// Notify bounds each listening connection's notification queue.
	Notify notify.Options
	// CacheBytes is the memory of the read caches (0: the default).
	CacheBytes int64
	// Demo serves the gateway's demo page at /.
	Demo bool
	// Gateway bounds HTTP requests and WebSockets; zero fields take defaults.
	Gateway gateway.Limits
}

// Server is a running KalamDB server.
type Server struct {
	log  *slog.Logger
	db   *kalamdb.DB
	pg   *wire.Server
	pgLn net.Listener
	done chan error // Serve's result

	gw       *gateway.Gateway // nil without HTTPAddr
	http     *http.Server
	httpLn   net.Listener
	httpDone chan error // http.Server.Serve's result

	closeOnce sync.Once
}

// Start opens the database and starts serving. The chosen addresses are
// logged as `msg=listening proto=pg addr=...`.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var tlsConf *tls.Config
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	db, err := kalamdb.Open(ctx, cfg.DataDir, kalamdb.Options{
		Durability: cfg.Durability, Logger: log, JWTSecret: cfg.JWTSecret, RootPassword: cfg.RootPassword,
		CacheBytes: cfg.CacheBytes,
		Notify:     cfg.Notify,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.PGAddr)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.PGAddr, err)
	}
	s := &Server{log: log, db: db, pgLn: ln, done: make(chan error, 1)}
	s.pg = wire.NewServer(wire.Config{TLS: tlsConf, Auth: cfg.PGAuth, Logger: log}, backend{db: db})
	if cfg.HTTPAddr != "" {
		if err := s.startHTTP(cfg, tlsConf); err != nil {
			ln.Close()
			db.Close()
			return nil, err
		}
	}
	log.Info("listening", "proto", "pg", "addr", ln.Addr().String())
	go func() { s.done <- s.pg.Serve(ln) }()
	return s, nil
}

// startHTTP starts the HTTP and WebSocket gateway (HTTPS with the TLS
// certificate).
func (s *Server) startHTTP(cfg Config, tlsConf *tls.Config) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	s.gw = gateway.New(gateway.Config{DB: s.db, Logger: s.log, Demo: cfg.Demo, Limits: cfg.Gateway, UserTables: s.userTables})
	s.gw.Registry().MustRegister(s.db.Collector())
	s.http = &http.Server{
		Handler:           s.gw,
		ConnState:         s.gw.ConnState,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.httpLn, s.httpDone = ln, make(chan error, 1)
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	s.log.Info("listening", "proto", "http", "addr", s.httpLn.Addr().String())
	go func() { s.httpDone <- s.http.Serve(s.gw.Listener(ln)) }()
	return nil
}

// HTTPAddr is the HTTP listener's address ("" without one).
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// Gateway is the HTTP and WebSocket gateway (nil without HTTPAddr).
func (s *Server) Gateway() *gateway.Gateway { return s.gw }

// PGAddr is the PostgreSQL listener's address.
func (s *Server) PGAddr() string { return s.pgLn.Addr().String() }

// DB is the server's database.
func (s *Server) DB() *kalamdb.DB { return s.db }

// Shutdown stops accepting, cancels in-flight work, waits for connections
// to end (or ctx), then closes the stores.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		if s.http != nil {
			// Stop accepting and finish requests, then end WebSockets
			// (hijacked: http.Server does not track them).
			err = s.http.Shutdown(ctx)
			if gerr := s.gw.Close(ctx); err == nil {
				err = gerr
			}
			if serveErr := <-s.httpDone; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
				s.log.Error("http server stopped", "err", serveErr)
			}
		}
		if perr := s.pg.Shutdown(ctx); err == nil {
			err = perr
		}
		if serveErr := <-s.done; serveErr != nil && !errors.Is(serveErr, net.ErrClosed) {
			s.log.Error("pg server stopped", "err", serveErr)
		}
		if cerr := s.db.Close(); cerr != nil && err == nil {
			err = cerr
		}
		s.log.Info("shut down")
	})
	return err
}

// backend adapts the database to the protocol server.
type backend struct{ db *kalamdb.DB }

func (b backend) LookupUser(name string) (*auth.Verifier, bool) { return b.db.LookupUser(name) }
func (b backend) RootPasswordSet() bool                         { return b.db.RootPasswordSet() }

func (b backend) VerifyToken(token string) (string, error) {
	return b.db.VerifyToken(context.Background(), token)
}

func (b backend) NewSession(_ context.Context, user string, pid uint32, params map[string]string) (wire.Session, error) {
	sess, err := b.db.Session(user, pid, params)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return sess, nil
}

// userTables lists the per-user tables a WebSocket partition subscription
// follows: every table of type user, as they are now.
func (s *Server) userTables() []gateway.TableName {
	var out []gateway.TableName
	for _, t := range s.db.Engine().UserTables() {
		out = append(out, gateway.TableName{Schema: t.Schema, Name: t.Name})
	}
	return out
}
