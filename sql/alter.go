package sql

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// ALTER TABLE runs in three phases: checks against existing rows (NOT
// NULL), one catalog change that applies every command to a copy of the
// table (so a failing command changes nothing), then data work the new
// definition needs (a volatile default's values, dropped indexes' entries).
// Old rows are never rewritten for ADD COLUMN with a constant default:
// they read the value kept in Column.Missing, as PostgreSQL does.
type alterStep struct {
	check func(ctx context.Context, x *execCtx, t *catalog.Table) error
	apply func(t *catalog.Table) error
	after func(ctx context.Context, x *execCtx, t *catalog.Table) error
}

func (s *Session) bindAlterTable(st *pg_query.AlterTableStmt) (plan, error) {
	if st.Objtype != pg_query.ObjectType_OBJECT_TABLE {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER %s is not supported", strings.TrimPrefix(st.Objtype.String(), "OBJECT_"))
	}
	var steps []*alterStep
	for _, n := range st.Cmds {
		step, err := s.alterCommand(n.GetAlterTableCmd())
		if err != nil {
			return nil, err
		}
		steps = append(steps, step)
	}
	return s.alterPlan(st.Relation, st.MissingOk, steps), nil
}

// alterPlan runs steps against the table rv names.
func (s *Session) alterPlan(rv *pg_query.RangeVar, missingOK bool, steps []*alterStep) plan {
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "alter table"); err != nil {
			return nil, err
		}
		ref, err := s.resolveTable(rv)
		if err != nil {
			if missingOK && pgerr.Code(err) == pgerr.UndefinedTable {
				return tagOnly("ALTER TABLE"), nil // NOTICE: relation does not exist, skipping
			}
			return nil, err
		}
		if ref.addressed != "" {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER TABLE of one user's partition is not supported: name the table %s", ref.t.Name)
		}
		t := ref.t
		for _, st := range steps {
			if st.check != nil {
				if err := st.check(ctx, x, t); err != nil {
					return nil, err
				}
			}
		}
		nt, err := s.eng.cat.AlterTable(ctx, t.Schema, t.Name, func(c *catalog.Table) error {
			for _, st := range steps {
				if st.apply != nil {
					if err := st.apply(c); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, st := range steps {
			if st.after != nil {
				if err := st.after(ctx, x, nt); err != nil {
					return nil, err
				}
			}
		}
		return tagOnly("ALTER TABLE"), nil
	})
}

func (s *Session) alterCommand(cmd *pg_query.AlterTableCmd) (*alterStep, error) {
	switch cmd.Subtype {
	case pg_query.AlterTableType_AT_AddColumn:
		return s.addColumn(cmd)
	case pg_query.AlterTableType_AT_DropColumn:
		return dropColumn(cmd), nil
	case pg_query.AlterTableType_AT_ColumnDefault:
		text := ""
		if cmd.Def != nil {
			var err error
			if text, err = deparseExpr(cmd.Def); err != nil {
				return nil, err
			}
		}
		return &alterStep{apply: func(t *catalog.Table) error {
			i, err := alterColumn(t, cmd.Name)
			if err != nil {
				return err
			}
			if cmd.Def != nil {
				if _, err := expr.CompileAs(cmd.Def, noScope{}, &expr.Params{}, t.Columns[i].Type); err != nil {
					return err
				}
			}
			t.Columns[i].Default = text
			return nil
		}}, nil
	case pg_query.AlterTableType_AT_SetNotNull:
		return &alterStep{
			check: func(ctx context.Context, x *execCtx, t *catalog.Table) error {
				i := t.ColumnIndex(cmd.Name)
				if i < 0 || t.Columns[i].NotNull {
					return nil // apply reports a missing column
				}
				return s.eng.checkNoNulls(ctx, t, i)
			},
			apply: func(t *catalog.Table) error {
				i, err := alterColumn(t, cmd.Name)
				if err == nil {
					t.Columns[i].NotNull = true
				}
				return err
			},
		}, nil
	case pg_query.AlterTableType_AT_DropNotNull:
		return &alterStep{apply: func(t *catalog.Table) error {
			i, err := alterColumn(t, cmd.Name)
			if err != nil {
				return err
			}
			for _, k := range t.PrimaryKey {
				if k == i {
					return pgerr.New(pgerr.InvalidTableDefinition, "column %q is in a primary key", cmd.Name)
				}
			}
			t.Columns[i].NotNull = false
			return nil
		}}, nil
	case pg_query.AlterTableType_AT_AlterColumnType:
		cd := cmd.Def.GetColumnDef()
		if cd.RawDefault != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER COLUMN TYPE ... USING is not supported")
		}
		to, serial, err := lookupType(cd.TypeName)
		if err != nil {
			return nil, err
		}
		if serial {
			return nil, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", types.NameOf(to))
		}
		return &alterStep{apply: func(t *catalog.Table) error {
			i, err := alterColumn(t, cmd.Name)
			if err != nil {
				return err
			}
			from := t.Columns[i].Type
			if !trivialTypeChange(from, to) {
				return pgerr.New(pgerr.FeatureNotSupported, "changing column %q from %s to %s is not supported: it would rewrite the table", cmd.Name, types.NameOf(from), types.NameOf(to))
			}
			t.Columns[i].Type = to
			return nil
		}}, nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER TABLE %s is not supported", strings.TrimPrefix(cmd.Subtype.String(), "AT_"))
}

// alterColumn finds a column an ALTER COLUMN names.
func alterColumn(t *catalog.Table, name string) (int, error) {
	i := t.ColumnIndex(name)
	if i < 0 {
		return 0, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
	}
	return i, nil
}

// trivialTypeChange reports whether stored values of type from are valid,
// unchanged values of type to: a wider varchar, varchar to text, a wider
// integer.
func trivialTypeChange(from, to types.Type) bool {
	intRank := map[types.OID]int{types.Int2: 1, types.Int4: 2, types.Int8: 3}
	switch {
	case from.OID == to.OID:
		return from.Mod == to.Mod || to.Mod < 0 || (from.OID == types.Varchar && from.Mod >= 0 && to.Mod >= from.Mod)
	case (from.OID == types.Varchar || from.OID == types.Text) && (to.OID == types.Text || (to.OID == types.Varchar && to.Mod < 0)):
		return true
	case intRank[from.OID] > 0 && intRank[to.OID] > intRank[from.OID]:
		return true
	}
	return false
}

// addColumn is ADD COLUMN [IF NOT EXISTS] name type [DEFAULT e] [NOT NULL].
func (s *Session) addColumn(cmd *pg_query.AlterTableCmd) (*alterStep, error) {
	col, isPK, err := s.columnDefinition(cmd.Def.GetColumnDef())
	if err != nil {
		return nil, err
	}
	if isPK {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "adding a primary-key column is not supported")
	}
	for _, n := range cmd.Def.GetColumnDef().Constraints {
		switch n.GetConstraint().Contype {
		case pg_query.ConstrType_CONSTR_UNIQUE:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "adding a UNIQUE column is not supported: add the column, then CREATE UNIQUE INDEX")
		case pg_query.ConstrType_CONSTR_IDENTITY:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "adding an identity column is not supported")
		}
	}
	volatile := false
	var defNode *pg_query.Node
	if col.Default != "" {
		if defNode, err = s.eng.parseExpr(col.Default); err != nil {
			return nil, err
		}
		volatile = isVolatile(defNode)
	}
	skip := false // IF NOT EXISTS and the column exists
	step := &alterStep{}
	step.check = func(ctx context.Context, x *execCtx, t *catalog.Table) error {
		if t.ColumnIndex(col.Name) >= 0 {
			if cmd.MissingOk {
				skip = true
				return nil // NOTICE: column already exists, skipping
			}
			return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", col.Name, t.Name)
		}
		var missing any
		if defNode != nil && !volatile {
			// A stable default is evaluated once: every old row reads it.
			e, err := expr.CompileAs(defNode, noScope{}, &expr.Params{}, col.Type)
			if err != nil {
				return err
			}
			if missing, err = e.Eval(x.env, nil); err != nil {
				return err
			}
			if missing != nil {
				col.Missing, col.HasMissing = string(types.AppendText(nil, col.Type.OID, missing, nil)), true
			}
		}
		if col.NotNull && missing == nil && !volatile {
			empty, err := s.eng.isEmpty(ctx, t)
			if err != nil {
				return err
			}
			if !empty {
				return pgerr.New(pgerr.NotNullViolation, "column %q of relation %q contains null values", col.Name, t.Name)
			}
		}
		return nil
	}
	step.apply = func(t *catalog.Table) error {
		if skip {
			return nil
		}
		if t.ColumnIndex(col.Name) >= 0 {
			return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", col.Name, t.Name)
		}
		c := col
		c.ID = t.NextColumn
		t.NextColumn++
		t.Columns = append(t.Columns, c)
		return nil
	}
	if volatile {
		step.after = func(ctx context.Context, x *execCtx, t *catalog.Table) error {
			if skip {
				return nil
			}
			return s.eng.fillColumn(ctx, x, t, t.ColumnIndex(col.Name), defNode)
		}
	}
	return step, nil
}

// volatileFuncs give a new value at every call: a column added with one
// of them as default gets a value per existing row, not one for all.
var volatileFuncs = map[string]bool{
	"random": true, "gen_random_uuid": true, "uuid_generate_v4": true, "kalamdb_id": true,
	"clock_timestamp": true, "timeofday": true, "nextval": true,
}

func isVolatile(n *pg_query.Node) bool {
	found := false
	walk(n, func(c *pg_query.Node) {
		if fc := c.GetFuncCall(); fc != nil {
			names := nameList(fc.Funcname)
			found = found || volatileFuncs[strings.ToLower(names[len(names)-1])]
		}
	})
	return found
}

// fillColumn gives column i of every existing row a fresh value of def,
// keeping each row's _seq (no change is published: the rows did not
// change, the table did).
func (e *Engine) fillColumn(ctx context.Context, x *execCtx, t *catalog.Table, i int, def *pg_query.Node) error {
	layout, err := newRowLayout(t)
	if err != nil {
		return err
	}
	d, err := expr.CompileAs(def, noScope{}, &expr.Params{}, t.Columns[i].Type)
	if err != nil {
		return err
	}
	// The rewrite keeps each row's seq, so a flush that copied the old
	// version would trim the new one as flushed: no flush meanwhile.
	e.flushMu.Lock()
	defer e.flushMu.Unlock()
	return e.eachRow(ctx, t, layout, true, func(txn *hotstore.Txn, part hotstore.Partition, key []byte, row []any) (bool, error) {
		v, err := d.Eval(x.env, nil)
		if err != nil {
			return false, err
		}
		row[i] = v
		data, err := layout.encode(row)
		if err != nil {
			return false, err
		}
		seq := row[len(t.Columns)].(int64)
		if err := txn.Put(part, key, hotstore.Record{Seq: seq, Data: data}, t.Options.TTL); err != nil {
			return false, err
		}
		return true, layout.refreshEntries(txn, part, key, row) // index row copies
	})
}

// dropColumn is DROP COLUMN [IF EXISTS] name. Indexes on the column go
// with it, as in PostgreSQL; primary-key columns cannot be dropped, since
// the key encodes every stored row's place.
func dropColumn(cmd *pg_query.AlterTableCmd) *alterStep {
	var dropped []catalog.Index
	return &alterStep{
		apply: func(t *catalog.Table) error {
			i := t.ColumnIndex(cmd.Name)
			if i < 0 {
				if cmd.MissingOk {
					return nil // NOTICE: column does not exist, skipping
				}
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			for _, k := range t.PrimaryKey {
				if k == i {
					return pgerr.New(pgerr.FeatureNotSupported, "cannot drop column %q: it is part of the primary key of %q", cmd.Name, t.Name)
				}
			}
			id := t.Columns[i].ID
			kept := t.Indexes[:0]
			for _, ix := range t.Indexes {
				uses := false
				for _, c := range ix.Columns {
					uses = uses || c == id
				}
				if uses {
					dropped = append(dropped, ix)
				} else {
					kept = append(kept, ix)
				}
			}
			t.Indexes = kept
			for j, k := range t.PrimaryKey {
				if k > i {
					t.PrimaryKey[j] = k - 1
				}
			}
			t.Columns = append(t.Columns[:i], t.Columns[i+1:]...)
			return nil
		},
		after: func(ctx context.Context, x *execCtx, t *catalog.Table) error {
			for _, ix := range dropped {
				if err := x.s.eng.store.DropIndex(ctx, ix.ID); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// bindRename binds ALTER TABLE ... RENAME TO and RENAME COLUMN.
func (s *Session) bindRename(st *pg_query.RenameStmt) (plan, error) {
	var apply func(t *catalog.Table) error
	switch st.RenameType {
	case pg_query.ObjectType_OBJECT_TABLE:
		apply = func(t *catalog.Table) error {
			t.Name = st.Newname
			return nil
		}
	case pg_query.ObjectType_OBJECT_COLUMN:
		if st.RelationType != pg_query.ObjectType_OBJECT_TABLE {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "RENAME COLUMN is supported on tables only")
		}
		apply = func(t *catalog.Table) error {
			i, err := alterColumn(t, st.Subname)
			if err != nil {
				return err
			}
			if t.ColumnIndex(st.Newname) >= 0 {
				return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", st.Newname, t.Name)
			}
			t.Columns[i].Name = st.Newname
			return nil
		}
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "ALTER %s ... RENAME is not supported", strings.TrimPrefix(st.RenameType.String(), "OBJECT_"))
	}
	return s.alterPlan(st.Relation, st.MissingOk, []*alterStep{{apply: apply}}), nil
}

// checkNoNulls fails with 23502 when column i is NULL in any row.
func (e *Engine) checkNoNulls(ctx context.Context, t *catalog.Table, i int) error {
	layout, err := newRowLayout(t)
	if err != nil {
		return err
	}
	found := false
	err = e.eachRow(ctx, t, layout, false, func(_ *hotstore.Txn, _ hotstore.Partition, _ []byte, row []any) (bool, error) {
		found = row[i] == nil
		return !found, nil
	})
	if err != nil {
		return err
	}
	if found {
		return pgerr.New(pgerr.NotNullViolation, "column %q of relation %q contains null values", t.Columns[i].Name, t.Name)
	}
	return nil
}

// isEmpty reports whether t has no live row in any partition.
func (e *Engine) isEmpty(ctx context.Context, t *catalog.Table) (bool, error) {
	layout, err := newRowLayout(t)
	if err != nil {
		return false, err
	}
	empty := true
	err = e.eachRow(ctx, t, layout, false, func(*hotstore.Txn, hotstore.Partition, []byte, []any) (bool, error) {
		empty = false
		return false, nil
	})
	return empty, err
}
