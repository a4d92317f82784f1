// Command kalamdb runs the KalamDB server and its tools:
//
//	kalamdb serve [flags]     start the server
//	kalamdb token --user ID   print a signed JWT
//	kalamdb version           print the version
//
// Every flag has an environment twin (KALAMDB_DATA for --data, ...).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kalamdb/kalamdb"
	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/server"
	"github.com/kalamdb/kalamdb/wire"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kalamdb:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kalamdb serve|token|version [flags]")
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "token":
		return token(args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "kalamdb", kalamdb.Version)
		return nil
	}
	return fmt.Errorf("unknown command %q: use serve, token or version", args[0])
}

// envDefault returns the environment twin of a flag, or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

type serveFlags struct {
	data, pgAddr, httpAddr, jwtSecret, rootPassword string
	durability, tlsCert, tlsKey, pgAuth, logFormat  string
	logLevel, pprofAddr, cacheSize                  string
	demo                                            bool
}

func serve(args []string, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.data, "data", envDefault("KALAMDB_DATA", "./kalamdb-data"), "data directory (KALAMDB_DATA)")
	fs.StringVar(&f.pgAddr, "pg-addr", envDefault("KALAMDB_PG_ADDR", "127.0.0.1:5432"), "PostgreSQL protocol address (KALAMDB_PG_ADDR)")
	fs.StringVar(&f.httpAddr, "http-addr", envDefault("KALAMDB_HTTP_ADDR", "127.0.0.1:8080"), "HTTP address (KALAMDB_HTTP_ADDR)")
	fs.StringVar(&f.jwtSecret, "jwt-secret", envDefault("KALAMDB_JWT_SECRET", ""), "JWT HS256 secret; default: kept in the data dir (KALAMDB_JWT_SECRET)")
	fs.StringVar(&f.rootPassword, "root-password", envDefault("KALAMDB_ROOT_PASSWORD", ""), "password of user root (KALAMDB_ROOT_PASSWORD)")
	fs.StringVar(&f.durability, "durability", envDefault("KALAMDB_DURABILITY", "fsync"), "fsync or async (KALAMDB_DURABILITY)")
	fs.StringVar(&f.tlsCert, "tls-cert", envDefault("KALAMDB_TLS_CERT", ""), "TLS certificate file (KALAMDB_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", envDefault("KALAMDB_TLS_KEY", ""), "TLS key file (KALAMDB_TLS_KEY)")
	fs.StringVar(&f.pgAuth, "pg-auth", envDefault("KALAMDB_PG_AUTH", "auto"), "auto, password or scram-sha-256 (KALAMDB_PG_AUTH)")
	fs.StringVar(&f.logFormat, "log-format", envDefault("KALAMDB_LOG_FORMAT", "text"), "text or json (KALAMDB_LOG_FORMAT)")
	fs.StringVar(&f.logLevel, "log-level", envDefault("KALAMDB_LOG_LEVEL", "info"), "debug, info, warn or error (KALAMDB_LOG_LEVEL)")
	fs.StringVar(&f.cacheSize, "cache-size", envDefault("KALAMDB_CACHE_SIZE", defaultCacheSize), "memory of the read caches, e.g. 512MB or 2GB; the Go heap's soft limit is this plus 768MB unless GOMEMLIMIT is set (KALAMDB_CACHE_SIZE)")
	fs.StringVar(&f.pprofAddr, "pprof-addr", envDefault("KALAMDB_PPROF_ADDR", ""), "serve Go profiles at /debug/pprof/ on this address; off when empty (KALAMDB_PPROF_ADDR)")
	fs.BoolVar(&f.demo, "demo", envDefault("KALAMDB_DEMO", "") == "1" || strings.EqualFold(envDefault("KALAMDB_DEMO", ""), "true"), "serve the WebSocket demo page at / of the HTTP address (KALAMDB_DEMO=1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.jwtSecret != "" && len(f.jwtSecret) < auth.MinSecretLen {
		return fmt.Errorf("--jwt-secret must be at least %d bytes", auth.MinSecretLen)
	}
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	cfg := server.Config{
		DataDir: f.data, PGAddr: f.pgAddr, HTTPAddr: f.httpAddr,
		JWTSecret: []byte(f.jwtSecret), RootPassword: f.rootPassword,
		TLSCert: f.tlsCert, TLSKey: f.tlsKey, Logger: log, Demo: f.demo,
	}
	switch f.durability {
	case "fsync":
		cfg.Durability = hotstore.Fsync
	case "async":
		cfg.Durability = hotstore.Async
	default:
		return fmt.Errorf("--durability must be fsync or async, not %q", f.durability)
	}
	if cfg.PGAuth, err = wire.ParseAuthMode(f.pgAuth); err != nil {
		return err
	}
	if cfg.CacheBytes, err = parseSize(f.cacheSize); err != nil {
		return fmt.Errorf("--cache-size (KALAMDB_CACHE_SIZE): %w", err)
	}
	if cfg.CacheBytes < kalamdb.MinCacheBytes {
		return fmt.Errorf("--cache-size (KALAMDB_CACHE_SIZE) must be at least %dMB, not %s", kalamdb.MinCacheBytes>>20, f.cacheSize)
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return err
	}
	memLimit := setMemoryLimit(cfg.CacheBytes, os.Getenv("GOMEMLIMIT"))

	if f.pprofAddr != "" {
		stopPprof, err := startPprof(f.pprofAddr, log)
		if err != nil {
			return fmt.Errorf("--pprof-addr: %w", err)
		}
		defer stopPprof()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("started", "version", kalamdb.Version, "data", f.data, "durability", f.durability, "cache_size", f.cacheSize,
		"memory_limit", memLimit)
	<-ctx.Done()
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

func token(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	user := fs.String("user", "", "user id (the token's sub)")
	roleName := fs.String("role", "user", "role: user, service, dba or system")
	ttl := fs.Duration("ttl", time.Hour, "validity")
	data := fs.String("data", envDefault("KALAMDB_DATA", "./kalamdb-data"), "data directory holding the secret (KALAMDB_DATA)")
	secret := fs.String("jwt-secret", envDefault("KALAMDB_JWT_SECRET", ""), "JWT secret (KALAMDB_JWT_SECRET)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("token: --user is required")
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return err
	}
	key := []byte(*secret)
	if len(key) == 0 {
		if err := os.MkdirAll(*data, 0o700); err != nil {
			return err
		}
		if key, err = auth.LoadOrCreateSecret(*data); err != nil {
			return err
		}
	}
	tok, err := auth.NewJWT(key).Sign(*user, role, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
