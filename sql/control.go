package sql

import (
	"context"
	"sort"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// bindTransaction binds BEGIN, COMMIT and ROLLBACK.
func (s *Session) bindTransaction(t *pg_query.TransactionStmt) (plan, error) {
	var fn func(ctx context.Context, x *execCtx) (*Result, error)
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		fn = func(ctx context.Context, x *execCtx) (*Result, error) {
			switch {
			case s.tx == nil:
				s.begin(true)
				s.beginOptions(t.Options)
			case !s.tx.explicit:
				s.tx.explicit = true // BEGIN inside a multi-statement string
				s.beginOptions(t.Options)
			}
			// A BEGIN inside a block only warns in PostgreSQL.
			return tagOnly("BEGIN"), nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		fn = func(ctx context.Context, x *execCtx) (*Result, error) {
			chain, err := s.chainFrom(t)
			if err != nil {
				return nil, err
			}
			if s.tx != nil && s.tx.failed {
				s.rollback()
				chain()
				return tagOnly("ROLLBACK"), nil
			}
			if err := s.commit(ctx); err != nil {
				return nil, statementError(ctx, err)
			}
			chain()
			return tagOnly("COMMIT"), nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		fn = func(ctx context.Context, x *execCtx) (*Result, error) {
			chain, err := s.chainFrom(t)
			if err != nil {
				return nil, err
			}
			s.rollback()
			chain()
			return tagOnly("ROLLBACK"), nil
		}
	default:
		return s.bindSavepoint(t)
	}
	return &funcPlan{k: kindTxControl, fn: fn}, nil
}

// chainFrom prepares COMMIT/ROLLBACK AND CHAIN: the returned function
// opens the next transaction block with the ending one's access mode and
// isolation level (a no-op without AND CHAIN).
func (s *Session) chainFrom(t *pg_query.TransactionStmt) (func(), error) {
	if !t.Chain {
		return func() {}, nil
	}
	if s.tx == nil || !s.tx.explicit {
		kind := "COMMIT"
		if t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK {
			kind = "ROLLBACK"
		}
		return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "%s AND CHAIN can only be used in transaction blocks", kind)
	}
	readOnly := s.tx.accessReadOnly
	iso, _ := s.settings.get("transaction_isolation")
	return func() {
		s.begin(true)
		s.setTxReadOnly(readOnly)
		s.setTxIsolation(iso)
	}, nil
}

// undoEntry restores one setting changed inside a transaction.
type undoEntry struct {
	restore func()
	local   bool // SET LOCAL: undone at commit too
}

// remember records how to undo a change made inside a transaction: SET
// and SET ROLE are undone by ROLLBACK, SET LOCAL by the end of the
// transaction either way, as in PostgreSQL.
func (s *Session) remember(local bool, restore func()) {
	if s.tx != nil {
		s.undo = append(s.undo, undoEntry{restore: restore, local: local})
	}
}

// settingsAtEnd applies the undo log when a transaction ends.
func (s *Session) settingsAtEnd(committed bool) {
	for i := len(s.undo) - 1; i >= 0; i-- {
		if !committed || s.undo[i].local {
			s.undo[i].restore()
		}
	}
	s.undo = nil
}

// settingArgs renders SET's arguments as a setting value.
func settingArgs(args []*pg_query.Node) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, constText(a))
	}
	return strings.Join(parts, ", ")
}

// constText renders an A_Const (or a cast of one) as text.
func constText(n *pg_query.Node) string {
	if tc := n.GetTypeCast(); tc != nil {
		return constText(tc.Arg)
	}
	c := n.GetAConst()
	if c == nil {
		return ""
	}
	switch {
	case c.GetSval() != nil:
		return c.GetSval().Sval
	case c.GetIval() != nil:
		return strconv.FormatInt(int64(c.GetIval().Ival), 10)
	case c.GetFval() != nil:
		return c.GetFval().Fval
	case c.GetBoolval() != nil:
		if c.GetBoolval().Boolval {
			return "on"
		}
		return "off"
	}
	return ""
}

// bindSet binds SET, SET LOCAL, RESET, SET ROLE and SET TRANSACTION.
func (s *Session) bindSet(v *pg_query.VariableSetStmt) (plan, error) {
	name := strings.ToLower(v.Name)
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION / SESSION CHARACTERISTICS: accepted, every
		// transaction here is snapshot isolation already; SET TRANSACTION
		// ISOLATION LEVEL shows in transaction_isolation.
		return utility(func(context.Context, *execCtx) (*Result, error) {
			if name == "transaction" {
				for _, o := range v.Args {
					if d := o.GetDefElem(); d != nil && d.Defname == "transaction_isolation" {
						if c := d.Arg.GetAConst(); c != nil && c.GetSval() != nil {
							s.setTxIsolation(c.GetSval().Sval)
						}
					}
				}
			}
			return tagOnly("SET"), nil
		}), nil
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		return utility(func(context.Context, *execCtx) (*Result, error) {
			for _, d := range s.settings.defs.list {
				if !d.readOnly {
					_ = s.reset(d.name)
				}
			}
			s.setRole(s.sessionUser, s.sessionRole)
			return tagOnly("RESET"), nil
		}), nil
	}
	if name == "role" || name == "session_authorization" {
		target := "none"
		if v.Kind == pg_query.VariableSetKind_VAR_SET_VALUE {
			target = settingArgs(v.Args)
		}
		return utility(func(context.Context, *execCtx) (*Result, error) {
			return s.execSetRole(target, v.IsLocal, v.Kind == pg_query.VariableSetKind_VAR_RESET)
		}), nil
	}
	if name == "timezone" && v.Kind == pg_query.VariableSetKind_VAR_SET_VALUE && len(v.Args) == 1 {
		if ic := v.Args[0].GetAConst(); ic != nil && ic.GetIval() != nil {
			// SET TIME ZONE 2 means two hours east of UTC.
			v = &pg_query.VariableSetStmt{Kind: v.Kind, Name: v.Name, IsLocal: v.IsLocal,
				Args: []*pg_query.Node{pg_query.MakeAConstStrNode(strconv.Itoa(int(ic.GetIval().Ival)), 0)}}
		}
	}
	if _, err := s.settings.lookup(name); err != nil {
		return nil, err
	}
	return utility(func(context.Context, *execCtx) (*Result, error) {
		d, _ := s.settings.lookup(name)
		old, _ := s.settings.get(name)
		oldLoc := s.loc
		var err error
		switch v.Kind {
		case pg_query.VariableSetKind_VAR_SET_VALUE:
			err = s.set(name, settingArgs(v.Args), false)
		case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
			err = s.reset(name)
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "SET ... FROM CURRENT is not supported")
		}
		if err != nil {
			return nil, err
		}
		s.remember(v.IsLocal, func() {
			s.settings.put(d.name, old)
			s.loc = oldLoc
		})
		if v.Kind == pg_query.VariableSetKind_VAR_RESET {
			return tagOnly("RESET"), nil
		}
		return tagOnly("SET"), nil
	}), nil
}

// execSetRole implements SET [LOCAL] ROLE and RESET ROLE. A session may
// become itself, and a service, dba or system session may become any user
// whose role is not above its own.
func (s *Session) execSetRole(target string, local, reset bool) (*Result, error) {
	tag := "SET"
	if reset {
		tag = "RESET"
	}
	oldUser, oldRole := s.effUser, s.effRole
	if reset || strings.EqualFold(target, "none") || strings.EqualFold(target, "default") {
		s.setRole(s.sessionUser, s.sessionRole)
	} else {
		u, ok := s.eng.cat.User(target)
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "role %q does not exist", target)
		}
		if u.Name != s.sessionUser && (s.sessionRole < auth.RoleService || u.Role > s.sessionRole) {
			return nil, pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set role %q", target)
		}
		s.setRole(u.Name, u.Role)
	}
	s.remember(local, func() { s.setRole(oldUser, oldRole) })
	return tagOnly(tag), nil
}

func (s *Session) setRole(user string, role auth.Role) {
	s.effUser, s.effRole = user, role
	s.setIdentitySettings()
}

// bindShow binds SHOW name and SHOW ALL.
func (s *Session) bindShow(v *pg_query.VariableShowStmt) (plan, error) {
	name := strings.ToLower(v.Name)
	text := types.Of(types.Text)
	if name == "all" {
		cols := []Column{{Name: "name", Type: text}, {Name: "setting", Type: text}, {Name: "description", Type: text}}
		return &funcPlan{k: kindUtility, cols: cols, fn: func(context.Context, *execCtx) (*Result, error) {
			var rows [][]any
			for _, d := range s.settings.defs.list {
				val, _ := s.settings.get(d.name)
				rows = append(rows, []any{d.name, val, ""})
			}
			sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
			return &Result{Columns: cols, Rows: rows, Tag: "SHOW"}, nil
		}}, nil
	}
	colName := name
	var get func() string
	switch name {
	case "role":
		get = func() string {
			if s.effUser == s.sessionUser {
				return "none"
			}
			return s.effUser
		}
	case "transaction isolation level", "transaction_isolation":
		colName = "transaction_isolation"
		get = func() string { v, _ := s.settings.get("transaction_isolation"); return v }
	default:
		d, err := s.settings.lookup(name)
		if err != nil {
			return nil, err
		}
		colName = d.name
		get = func() string { v, _ := s.settings.get(name); return v }
	}
	cols := []Column{{Name: colName, Type: text}}
	return &funcPlan{k: kindUtility, cols: cols, fn: func(context.Context, *execCtx) (*Result, error) {
		return &Result{Columns: cols, Rows: [][]any{{get()}}, Tag: "SHOW"}, nil
	}}, nil
}
