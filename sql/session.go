package sql

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/sql/pgcatalog"
	"github.com/kalamdb/kalamdb/types"
)

// Session is one client's SQL session: identity, settings and the open
// transaction. It is used by one goroutine at a time.
type Session struct {
	eng *Engine
	pid uint32

	sessionUser string
	sessionRole auth.Role
	// effUser and effRole change with SET ROLE; partitions of per-user
	// tables are chosen by effUser.
	effUser string
	effRole auth.Role

	settings *settings
	loc      *time.Location
	tx       *transaction // nil when no transaction is open
	// stmtCtx is the running statement's context (admin functions).
	stmtCtx context.Context
	// undo restores settings changed inside the open transaction.
	undo []undoEntry

	listener *notify.Listener // LISTEN state and undelivered notifications
	pend     pendingNotify    // LISTEN/NOTIFY and changes awaiting commit
	hooks    notifyHooks
	act      activity // what pg_stat_activity shows of this session
	ctl      connControl

	copyCh  CopyChannel        // the client's COPY data, nil without one (copy.go)
	cursors map[string]*cursor // open DECLAREd cursors (cursor.go)

	// tempSchema holds the session's temporary tables, "" until the first
	// one; onCommit are their ON COMMIT actions (temp.go).
	tempSchema string
	onCommit   []onCommitAction
}

// NewSession opens a session for user, who must exist. params are startup
// parameters; unknown ones fail as in PostgreSQL.
func (e *Engine) NewSession(user string, pid uint32, params map[string]string) (*Session, error) {
	u, ok := e.cat.User(user)
	if !ok {
		return nil, pgerr.New(pgerr.InvalidAuthorization, "role %q does not exist", user)
	}
	s := &Session{
		eng: e, pid: pid,
		sessionUser: u.Name, sessionRole: u.Role,
		effUser: u.Name, effRole: u.Role,
		settings: newSettings(e.settingDefs), loc: time.UTC,
	}
	s.setIdentitySettings()
	s.initNotify()
	s.act.a = pgcatalog.Activity{PID: pid, User: u.Name, Started: time.Now(), State: "idle"}
	e.sessions.add(s)
	_ = s.set("session_authorization", u.Name, true)
	for k, v := range params {
		switch strings.ToLower(k) {
		case "user", "database", "replication", "options":
			continue
		case "client_encoding":
			if strings.EqualFold(v, "SQL_ASCII") || strings.EqualFold(v, "auto") {
				v = "UTF8" // psql in a C locale asks for these; we speak UTF8
			}
		}
		if err := s.set(k, v, false); err != nil {
			return nil, err
		}
		s.settings.rememberStartup(k, v)
	}
	return s, nil
}

func (s *Session) setIdentitySettings() {
	super := "off"
	if s.effRole == auth.RoleSystem {
		super = "on"
	}
	_ = s.set("is_superuser", super, true)
}

// TxStatus is ReadyForQuery's transaction status.
func (s *Session) TxStatus() byte {
	switch {
	case s.tx == nil:
		return 'I'
	case s.tx.failed:
		return 'E'
	default:
		return 'T'
	}
}

// Location is the session's TimeZone.
func (s *Session) Location() *time.Location { return s.loc }

// User is the effective user.
func (s *Session) User() string { return s.effUser }

// Close rolls back any open transaction.
func (s *Session) Close() {
	s.eng.sessions.remove(s)
	if s.tx != nil {
		s.tx.discard()
		s.tx = nil
	}
	s.closeNotify()
	s.dropTempSchema()
}

// Prepare parses and binds one statement for the extended protocol.
func (s *Session) Prepare(query string, paramTypes []types.OID) (*Statement, error) {
	stmts, err := s.eng.parse(query)
	if err != nil {
		return nil, err
	}
	switch len(stmts) {
	case 0:
		return &Statement{empty: true}, nil
	case 1:
	default:
		return nil, pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	st := &Statement{node: stmts[0].Stmt, query: query, prepared: time.Now()}
	params := &expr.Params{Types: append([]types.OID(nil), paramTypes...)}
	if err := s.bindStatement(st, params); err != nil {
		return nil, err
	}
	return st, nil
}

// bindStatement (re)binds st against the current catalog.
func (s *Session) bindStatement(st *Statement, params *expr.Params) error {
	version := s.eng.cat.Version()
	p, err := s.bind(st.node, params)
	if err != nil {
		return err
	}
	params.Finish()
	st.plan, st.version = p, version
	st.paramTypes = params.Types
	st.columns = p.columns()
	st.liveCols = nil
	if fp, ok := p.(*fetchPlan); ok && fp.late {
		st.liveCols = func() []Column {
			if c, err := s.cursor(fp.st.Portalname); err == nil {
				return c.cols
			}
			return nil
		}
	}
	return nil
}

const resultTypeChanged = "cached plan must not change result type"

// IsResultTypeChanged reports whether err is Execute's refusal of a
// statement whose result columns changed with DDL since it was prepared:
// a client that prepared it on its own (an HTTP request) prepares again.
func IsResultTypeChanged(err error) bool {
	var e *pgerr.Error
	return errors.As(err, &e) && e.Code == pgerr.FeatureNotSupported && e.Message == resultTypeChanged
}

// Execute runs a prepared statement with decoded parameters.
func (s *Session) Execute(ctx context.Context, st *Statement, params []any) (*Result, error) {
	if st.empty {
		return &Result{Empty: true}, nil
	}
	s.noteQuery(st.query)
	if len(params) != len(st.paramTypes) {
		return nil, pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(st.paramTypes))
	}
	if st.version != s.eng.cat.Version() {
		// DDL ran since the statement was bound: bind again, keeping the
		// parameter types the client already knows. The client also knows
		// the result's shape, so, as in PostgreSQL, the statement fails
		// (every time) when that changed.
		fresh := *st
		if err := s.bindStatement(&fresh, &expr.Params{Types: st.paramTypes}); err != nil {
			return nil, s.noteError(err)
		}
		if _, fetch := fresh.plan.(*fetchPlan); !fetch && !sameColumns(st.columns, fresh.columns) {
			return nil, s.noteError(pgerr.New(pgerr.FeatureNotSupported, resultTypeChanged))
		}
		*st = fresh
	}
	if s.tx == nil {
		// Statements up to the next Sync form one implicit transaction,
		// as in PostgreSQL: a pgx batch commits or fails as a whole.
		s.beginImplicit(st.plan)
	}
	if !s.tx.failed {
		if err := s.checkReadOnly(st.node, st.plan); err != nil {
			return nil, s.noteError(err)
		}
	}
	return s.run(ctx, st.plan, params)
}

// Query runs a simple-protocol query string: every statement in order, as
// one implicit transaction unless the string manages transactions itself.
func (s *Session) Query(ctx context.Context, query string, emit func(*Result) error) error {
	s.noteQuery(query)
	defer s.noteIdle()
	stmts, err := s.eng.parse(query)
	if err != nil {
		return s.noteError(err)
	}
	if len(stmts) == 0 {
		return emit(&Result{Empty: true})
	}
	if s.tx == nil && len(stmts) > 1 {
		s.begin(false)
	}
	for _, raw := range stmts {
		p, err := s.bind(raw.Stmt, &expr.Params{})
		if err != nil {
			return s.noteError(err)
		}
		if s.tx == nil || !s.tx.failed {
			if err := s.checkReadOnly(raw.Stmt, p); err != nil {
				return s.noteError(err)
			}
		}
		res, err := s.run(ctx, p, nil)
		if err != nil {
			return err
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	if s.tx != nil && !s.tx.explicit {
		return s.commit(ctx)
	}
	return nil
}

// env builds the evaluation environment of one statement.
func (s *Session) env(params []any) *expr.Env {
	var now time.Time
	if s.tx != nil {
		now = s.tx.start
	} else {
		now = time.Now()
	}
	return &expr.Env{
		Params:      params,
		Now:         now,
		Loc:         s.loc,
		User:        s.effUser,
		SessionUser: s.sessionUser,
		Database:    "kalamdb",
		Version:     s.eng.VersionString(),
		NextSeq:     s.eng.store.NextSeq,
		Setting:     s.settings.get,

		Notify:                 s.hooks.notify,
		ListeningChannels:      s.hooks.channels,
		NotificationQueueUsage: s.hooks.usage,
		Admin:                  s.admin,
		Catalog:                s.catalogCall,
	}
}

// StatementTimeout is the statement_timeout setting, 0 for none.
func (s *Session) StatementTimeout() time.Duration {
	v, _ := s.settings.get("statement_timeout")
	d, err := parseMillis(v)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// statementContext applies statement_timeout. Without one the statement
// runs in ctx itself: nothing a statement starts outlives it, so a
// context of its own would only cost two allocations per statement.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.StatementTimeout()
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, d, pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout"))
}
