package sql

import (
	"context"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
)

// bindModifyingCTE binds WITH name AS (INSERT/UPDATE/DELETE ...). As in
// PostgreSQL it may appear only in the top-level statement's WITH, runs
// exactly once whether or not it is read, and its rows are those of its
// RETURNING list.
func (b *binder) bindModifyingCTE(cte *pg_query.CommonTableExpr, top bool) (*cteDef, error) {
	var (
		p   plan
		err error
	)
	switch q := cte.Ctequery.GetNode().(type) {
	case *pg_query.Node_InsertStmt:
		p, err = b.s.bindInsert(q.InsertStmt, b.params)
	case *pg_query.Node_UpdateStmt:
		p, err = b.s.bindUpdate(q.UpdateStmt, b.params)
	case *pg_query.Node_DeleteStmt:
		p, err = b.s.bindDelete(q.DeleteStmt, b.params)
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "this kind of WITH query is not supported")
	}
	if err != nil {
		return nil, err
	}
	if !top {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WITH clause containing a data-modifying statement must be at the top level")
	}
	def := &cteDef{name: cte.Ctename, mod: p}
	if def.cols, err = cteColumns(p.columns(), cte); err != nil {
		return nil, err
	}
	b.mods = append(b.mods, def)
	return def, nil
}

// modifyingQueryPlan is a SELECT whose WITH modifies data: the
// modifications run first, in order, inside the statement's read-write
// transaction, then the query reads their RETURNING rows. As in
// PostgreSQL the query's other reads see the tables as they were before
// the modifications: through a snapshot taken first, when the
// transaction has no earlier writes that the snapshot would miss.
// Otherwise (a later statement of a transaction that wrote) they see the
// modifications.
type modifyingQueryPlan struct {
	q    relQuery
	mods []*cteDef
}

func (p *modifyingQueryPlan) kind() planKind    { return kindWrite }
func (p *modifyingQueryPlan) columns() []Column { return p.q.resultColumns() }
func (p *modifyingQueryPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	qx := x
	if x.fresh {
		snap := x.s.eng.store.BeginRead()
		defer snap.Discard()
		cp := *x
		cp.txn, qx = snap, &cp
	}
	r := newRun(qx)
	for _, def := range p.mods {
		res, err := def.mod.exec(ctx, x)
		if err != nil {
			return nil, err
		}
		r.setCTE(def, res.Rows)
	}
	qx.env.Exec = r
	rows, err := collect(r, qx.env, p.q)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: p.q.resultColumns(), Rows: rows, Tag: "SELECT " + strconv.Itoa(len(rows))}, nil
}
