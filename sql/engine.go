package sql

import (
	"container/list"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Config wires an Engine to its stores.
type Config struct {
	Store *hotstore.Store
	// Cold is the Parquet tier; nil keeps everything hot.
	Cold *coldstore.Store
	// ExportDir receives kalamdb_export_user's exports.
	ExportDir string
	Catalog   *catalog.Catalog
	Logger    *slog.Logger
	// Version is the KalamDB version reported by version().
	Version string
	// ParseCacheSize bounds the parse cache (statements); 0 means 1024.
	ParseCacheSize int
	// Hub carries LISTEN/NOTIFY and the change channels; nil gives the
	// engine a hub of its own.
	Hub *notify.Hub
}

// Engine executes SQL for every session of one database.
type Engine struct {
	store   *hotstore.Store
	cold    *coldstore.Store
	cat     *catalog.Catalog
	log     *slog.Logger
	version string
	// versionString is version()'s text, built once: every statement's
	// environment carries it.
	versionString string
	parses        *parseCache
	// settingDefs is the run-time parameter table shared by every session.
	settingDefs *settingDefs
	hub         *notify.Hub
	exportDir   string
	// flushMu serializes flushes, exports and erasures.
	flushMu sync.Mutex
	// tiers records flush and compaction jobs and cold read counters.
	tiers tierState
	// sessions and started feed pg_stat_activity and
	// pg_postmaster_start_time().
	sessions sessionRegistry
	started  time.Time
	// tempSeq numbers the sessions' temporary schemas (temp.go).
	tempSeq atomic.Uint64
	// idents caches reserved identity column values (identity.go).
	idents identityCache
}

// NewEngine returns an engine over cfg's stores.
func NewEngine(cfg Config) *Engine {
	size := cfg.ParseCacheSize
	if size <= 0 {
		size = 1024
	}
	hub := cfg.Hub
	if hub == nil {
		hub = notify.NewHub(notify.Options{})
	}
	e := &Engine{
		started:       time.Now(),
		hub:           hub,
		store:         cfg.Store,
		cold:          cfg.Cold,
		exportDir:     cfg.ExportDir,
		cat:           cfg.Catalog,
		log:           cfg.Logger,
		version:       cfg.Version,
		versionString: "PostgreSQL 15.8 (KalamDB " + cfg.Version + ") on x86_64-pc-linux-gnu, compiled by Go",
		parses:        newParseCache(size),
		settingDefs:   newSettingDefs(),
	}
	// The first parse sets up pg_query and its protobuf descriptors (about
	// 2.6 MB, once): do it now rather than inside the first client's query.
	_, _ = e.parse("SELECT 1")
	if e.cat != nil {
		e.dropOrphanTempSchemas(context.Background())
	}
	return e
}

// Hub is the engine's notification hub.
func (e *Engine) Hub() *notify.Hub { return e.hub }

// VersionString is what version() returns.
func (e *Engine) VersionString() string { return e.versionString }

// parse returns the statements of text, from the cache when it was parsed
// before. Parse trees are shared and must never be modified.
func (e *Engine) parse(text string) ([]*pg_query.RawStmt, error) {
	if stmts, ok := e.parses.get(text); ok {
		return stmts, nil
	}
	tree, err := pg_query.Parse(text)
	if err != nil {
		return nil, syntaxError(err)
	}
	e.parses.put(text, tree.Stmts)
	return tree.Stmts, nil
}

// syntaxError carries pg_query's message and cursor position as 42601.
func syntaxError(err error) error {
	pe := pgerr.Wrap(err, pgerr.SyntaxError, "%s", err.Error())
	var perr *parser.Error
	if errors.As(err, &perr) {
		pe.Position = int32(perr.Cursorpos)
	}
	return pe
}

// parseCache is a bounded LRU of parse trees by statement text.
type parseCache struct {
	// mu guards order and byText.
	mu     sync.Mutex
	limit  int
	order  *list.List // of *parseEntry, most recent first
	byText map[string]*list.Element
}

type parseEntry struct {
	text  string
	stmts []*pg_query.RawStmt
}

func newParseCache(limit int) *parseCache {
	return &parseCache{limit: limit, order: list.New(), byText: map[string]*list.Element{}}
}

func (c *parseCache) get(text string) ([]*pg_query.RawStmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byText[text]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*parseEntry).stmts, true
}

func (c *parseCache) put(text string, stmts []*pg_query.RawStmt) {
	if len(text) > 64<<10 {
		return // huge scripts are not worth keeping
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byText[text]; ok {
		return
	}
	c.byText[text] = c.order.PushFront(&parseEntry{text: text, stmts: stmts})
	for c.order.Len() > c.limit {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byText, old.Value.(*parseEntry).text)
	}
}

// parseExpr parses the text of a stored expression (a column default).
func (e *Engine) parseExpr(text string) (*pg_query.Node, error) {
	stmts, err := e.parse("SELECT " + text)
	if err != nil {
		return nil, err
	}
	return stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val, nil
}

// UserTables returns the tables with one partition per user whose changes
// users follow (type user; stream tables are ephemeral).
func (e *Engine) UserTables() []*catalog.Table {
	var out []*catalog.Table
	for _, t := range e.cat.Tables() {
		if t.Type == catalog.User {
			out = append(out, t)
		}
	}
	return out
}
