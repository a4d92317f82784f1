package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// CREATE INDEX builds the entries of existing rows partition by partition
// after the index is in the catalog, so writers that bind from then on
// keep it up to date. Caveat: a write bound before the CREATE INDEX and
// committed while the build runs may leave its row out of the index (no
// CONCURRENTLY machinery); the build's own reads make most such races
// fail with 40001 instead.

func (s *Session) bindCreateIndex(st *pg_query.IndexStmt) (plan, error) {
	switch {
	case st.WhereClause != nil:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "partial indexes are not supported")
	case len(st.IndexIncludingParams) > 0:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "INCLUDE columns are not supported")
	case st.AccessMethod != "" && st.AccessMethod != "btree":
		return nil, pgerr.New(pgerr.FeatureNotSupported, "access method %q is not supported: indexes are ordered (btree)", st.AccessMethod)
	case st.NullsNotDistinct:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "NULLS NOT DISTINCT is not supported")
	}
	var names []string
	for _, n := range st.IndexParams {
		el := n.GetIndexElem()
		if el.Expr != nil || el.Name == "" {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "indexes on expressions are not supported")
		}
		names = append(names, el.Name)
	}
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "create index"); err != nil {
			return nil, err
		}
		ref, err := s.resolveTable(st.Relation)
		if err != nil {
			return nil, err
		}
		t := ref.t
		ix := catalog.Index{Name: st.Idxname, Unique: st.Unique}
		for _, name := range names {
			i := t.ColumnIndex(name)
			if i < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
			}
			if !indexableType(t.Columns[i].Type.OID) {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "indexes on columns of type %s are not supported", types.NameOf(t.Columns[i].Type))
			}
			ix.Columns = append(ix.Columns, t.Columns[i].ID)
		}
		if ix.Name == "" {
			ix.Name = s.chooseIndexName(t, names)
		}
		nt, ix, created, err := s.eng.cat.CreateIndex(ctx, t.Schema, t.Name, ix, st.IfNotExists)
		if err != nil {
			return nil, err
		}
		if !created {
			return tagOnly("CREATE INDEX"), nil // NOTICE: relation already exists, skipping
		}
		if err := s.eng.buildIndex(ctx, nt, ix); err != nil {
			_, _ = s.eng.cat.DropIndex(context.WithoutCancel(ctx), nt.Schema, ix.Name, true)
			_ = s.eng.store.DropIndex(context.WithoutCancel(ctx), ix.ID)
			return nil, err
		}
		return tagOnly("CREATE INDEX"), nil
	}), nil
}

// chooseIndexName is PostgreSQL's default: table_col1_col2_idx, then
// idx1, idx2 ... until the name is free, within 63 bytes.
func (s *Session) chooseIndexName(t *catalog.Table, cols []string) string {
	return chooseRelationName(t.Name, cols, "idx", func(name string) bool {
		_, taken := s.eng.cat.Table(t.Schema, name)
		_, _, ok := s.eng.cat.FindIndex(t.Schema, name)
		return taken || ok
	})
}

// buildIndex writes the entries of every existing row of t into ix.
func (e *Engine) buildIndex(ctx context.Context, t *catalog.Table, ix catalog.Index) error {
	layout, err := newRowLayout(t)
	if err != nil {
		return err
	}
	var il *indexLayout
	for _, l := range layout.indexes {
		if l.ix.ID == ix.ID {
			il = l
		}
	}
	var dup error
	err = e.eachRow(ctx, t, layout, true, func(txn *hotstore.Txn, part hotstore.Partition, key []byte, row []any) (bool, error) {
		ek, err := il.entry(row, key)
		if err != nil {
			return false, err
		}
		ip := il.partition(part)
		if ix.Unique {
			if _, ok, err := txn.GetIndex(ip, ek); err != nil || ok {
				if ok {
					dup = pgerr.New(pgerr.UniqueViolation, "could not create unique index %q", ix.Name)
					dup.(*pgerr.Error).Detail = "Key " + layout.keyText(il.cols, row) + " is duplicated."
				}
				return false, err
			}
		}
		return true, layout.putEntry(txn, il, part, ek, key, row)
	})
	if err != nil {
		return err
	}
	return dup
}

// dropIndexes is DROP INDEX [IF EXISTS] name [, ...].
func (s *Session) dropIndexes(ctx context.Context, d *pg_query.DropStmt) (*Result, error) {
	if err := s.requireRole(ddlRole, "drop index"); err != nil {
		return nil, err
	}
	for _, obj := range d.Objects {
		names := nameList(obj.GetList().Items)
		name := names[len(names)-1]
		schemas := s.lookupPath()
		if len(names) > 1 {
			sc, err := s.ownTempSchema(names[len(names)-2])
			if err != nil {
				return nil, err
			}
			schemas = []string{sc}
		}
		schema := ""
		for _, sc := range schemas {
			if t, ix, ok := s.eng.cat.FindIndex(sc, name); ok {
				if ix.Constraint {
					e := pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", name, name, t.Name)
					e.Hint = "You can drop constraint " + name + " on table " + t.Name + " instead."
					return nil, e
				}
				schema = sc
				break
			}
		}
		if schema == "" {
			if d.MissingOk {
				continue // NOTICE: index does not exist, skipping
			}
			return nil, pgerr.New(pgerr.UndefinedObject, "index %q does not exist", name)
		}
		ix, err := s.eng.cat.DropIndex(ctx, schema, name, d.MissingOk)
		if err != nil {
			return nil, err
		}
		if ix != nil {
			if err := s.eng.store.DropIndex(ctx, ix.ID); err != nil {
				return nil, err
			}
		}
	}
	return tagOnly("DROP INDEX"), nil
}

// dropTableData removes the rows and index entries of a dropped or
// truncated table.
func (e *Engine) dropTableData(ctx context.Context, t *catalog.Table) error {
	if err := e.store.DropTable(ctx, t.ID); err != nil {
		return err
	}
	if e.cold != nil {
		if err := e.cold.DropTable(ctx, t.Schema, t.Name); err != nil {
			return err
		}
	}
	for _, ix := range t.Indexes {
		if err := e.store.DropIndex(ctx, ix.ID); err != nil {
			return err
		}
	}
	return nil
}
