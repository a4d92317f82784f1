package kalamdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/cachebudget"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

// Version is KalamDB's version.
const Version = "0.1.0"

// Options configure Open.
type Options struct {
	Durability hotstore.Durability
	Logger     *slog.Logger
	// JWTSecret signs and verifies tokens; when empty, the secret kept in
	// the data directory is used (created on first start).
	JWTSecret []byte
	// RootPassword, when set, becomes root's password.
	RootPassword string
	// Notify bounds each listening session's notification queue.
	Notify notify.Options
	// CacheBytes is the memory of the read caches together (0:
	// DefaultCacheBytes); see cacheSplit.
	CacheBytes int64
}

// DefaultCacheBytes is the read caches' memory unless configured.
const DefaultCacheBytes = 320 << 20

// MinCacheBytes is the smallest cache size Open accepts.
const MinCacheBytes = 16 << 20

// cacheSplit divides the read caches' memory: Badger's block cache gets
// 3/20 and its SST index and bloom-filter cache 1/20 (fixed inside Badger),
// and the rest is one budget shared by the hot store's index range cache
// and the cold store's row-group cache (package cachebudget), so the tier
// being read gets the memory: before a flush the chat reads are served by
// the first, after it point lookups by the second. At the default that is
// 48 MB, 16 MB and a 256 MB budget.
func cacheSplit(total int64) (block, index int64, shared *cachebudget.Budget) {
	block, index = total*3/20, total/20
	return block, index, cachebudget.New(total - block - index)
}

// DB is an open database.
type DB struct {
	dir   string
	log   *slog.Logger
	store *hotstore.Store
	cat   *catalog.Catalog
	eng   *sql.Engine
	jwt   *auth.JWT
	hub   *notify.Hub
	cold  *coldstore.Store

	// background runs the flush scheduler until Close.
	background     sync.WaitGroup
	stopBackground context.CancelFunc
}

// flushCheckInterval is how often the tables' flush policies are checked.
const flushCheckInterval = time.Second

// Open opens (creating on first use) the database in dir.
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secret := opts.JWTSecret
	if len(secret) == 0 {
		var err error
		if secret, err = auth.LoadOrCreateSecret(dir); err != nil {
			return nil, fmt.Errorf("jwt secret: %w", err)
		}
	}
	cacheBytes := cmp.Or(opts.CacheBytes, DefaultCacheBytes)
	if cacheBytes < MinCacheBytes {
		return nil, fmt.Errorf("cache size %d bytes is below the minimum of %d MB", cacheBytes, MinCacheBytes>>20)
	}
	blockCache, indexCache, cache := cacheSplit(cacheBytes)
	store, err := hotstore.Open(filepath.Join(dir, "hot"), hotstore.Options{Durability: opts.Durability, Logger: log,
		Cache: cache, BadgerBlockCacheBytes: blockCache, BadgerIndexCacheBytes: indexCache})
	if err != nil {
		return nil, fmt.Errorf("open hot store: %w", err)
	}
	cat, err := catalog.Open(ctx, store)
	if err != nil {
		store.Close()
		return nil, err
	}
	// The cold tier shares the data directory: users/ and shared/ beside hot/.
	cold, err := coldstore.Open(dir)
	if err != nil {
		store.Close()
		return nil, err
	}
	cold.ShareCache(cache)
	hub := notify.NewHub(opts.Notify)
	db := &DB{
		dir: dir, log: log, store: store, cold: cold, cat: cat, jwt: auth.NewJWT(secret), hub: hub,
		eng: sql.NewEngine(sql.Config{Store: store, Cold: cold, ExportDir: filepath.Join(dir, "exports"),
			Catalog: cat, Logger: log, Version: Version, Hub: hub}),
	}
	bg, stop := context.WithCancel(context.Background())
	db.stopBackground = stop
	db.background.Add(1)
	go db.eng.NewFlusher(flushCheckInterval).Run(bg, &db.background)
	if opts.RootPassword != "" {
		if err := db.setRootPassword(ctx, opts.RootPassword); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func (db *DB) setRootPassword(ctx context.Context, pw string) error {
	if u, ok := db.cat.User(catalog.RootUser); ok && u.Verifier != "" {
		if v, err := auth.ParseVerifier(u.Verifier); err == nil && v.Check(pw) {
			return nil // unchanged: keep the stored salt
		}
	}
	v, err := auth.NewVerifier(pw)
	if err != nil {
		return err
	}
	return db.cat.AlterUser(ctx, catalog.RootUser, func(u *catalog.UserInfo) error {
		u.Verifier = v.String()
		return nil
	})
}

// Close closes the stores.
func (db *DB) Close() error {
	db.stopBackground()
	db.background.Wait()
	return errors.Join(db.cold.Close(), db.store.Close())
}

// Session opens a SQL session acting as user.
func (db *DB) Session(user string, pid uint32, params map[string]string) (*sql.Session, error) {
	return db.eng.NewSession(user, pid, params)
}

// Hub carries LISTEN/NOTIFY and the per-user change channels.
func (db *DB) Hub() *notify.Hub { return db.hub }

// Engine is the database's SQL engine (for change replay).
func (db *DB) Engine() *sql.Engine { return db.eng }

// JWT is the database's token signer and verifier.
func (db *DB) JWT() *auth.JWT { return db.jwt }

// LookupUser returns a user's password verifier (nil without one).
func (db *DB) LookupUser(name string) (*auth.Verifier, bool) {
	u, ok := db.cat.User(name)
	if !ok {
		return nil, false
	}
	if u.Verifier == "" {
		return nil, true
	}
	v, err := auth.ParseVerifier(u.Verifier)
	if err != nil {
		db.log.Error("stored verifier unreadable", "user", name, "err", err)
		return nil, true
	}
	return v, true
}

// RootPasswordSet reports whether root must log in with a password.
func (db *DB) RootPasswordSet() bool {
	u, ok := db.cat.User(catalog.RootUser)
	return ok && u.Verifier != ""
}

// VerifyToken checks a JWT and returns its subject. A valid token for a
// user the catalog does not know yet creates that user with the token's
// role: the application that holds the secret vouches for it.
func (db *DB) VerifyToken(ctx context.Context, token string) (string, error) {
	claims, err := db.jwt.Verify(token)
	if err != nil {
		return "", err
	}
	if _, ok := db.cat.User(claims.Subject); !ok {
		err := db.cat.CreateUser(ctx, catalog.UserInfo{Name: claims.Subject, Role: claims.Role})
		if err != nil && pgerr.Code(err) != pgerr.DuplicateObject {
			return "", err
		}
	}
	return claims.Subject, nil
}
