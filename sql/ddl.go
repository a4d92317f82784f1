package sql

import (
	"context"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// DDL needs role dba or above.
const ddlRole = auth.RoleDBA

func (s *Session) bindCreateSchema(cs *pg_query.CreateSchemaStmt) (plan, error) {
	if len(cs.SchemaElts) > 0 || cs.Authrole != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "CREATE SCHEMA with AUTHORIZATION or elements is not supported")
	}
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "create schema"); err != nil {
			return nil, err
		}
		if err := s.eng.cat.CreateSchema(ctx, cs.Schemaname, cs.IfNotExists); err != nil {
			return nil, err
		}
		return tagOnly("CREATE SCHEMA"), nil
	}), nil
}

func (s *Session) bindCreateTable(cs *pg_query.CreateStmt) (plan, error) {
	if len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil || cs.Partbound != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "inheritance, partitioning and typed tables are not supported")
	}
	t, err := s.tableDefinition(cs)
	if err != nil {
		return nil, err
	}
	if isTempCreate(cs.Relation) {
		return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
			return s.createTempTable(ctx, t, cs)
		}), nil
	}
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "create table"); err != nil {
			return nil, err
		}
		if t.Schema == "" {
			schema, err := s.creationSchema()
			if err != nil {
				return nil, err
			}
			t.Schema = schema
		}
		// A prepared CREATE TABLE may run again: name a copy's indexes.
		def := *t
		def.Indexes = append([]catalog.Index(nil), t.Indexes...)
		s.nameUniqueIndexes(&def)
		if _, _, err := s.eng.cat.CreateTable(ctx, &def, cs.IfNotExists); err != nil {
			return nil, err
		}
		return tagOnly("CREATE TABLE"), nil
	}), nil
}

// tableDefinition turns CREATE TABLE into a catalog table (without ids).
func (s *Session) tableDefinition(cs *pg_query.CreateStmt) (*catalog.Table, error) {
	t := &catalog.Table{Schema: cs.Relation.Schemaname, Name: cs.Relation.Relname, Type: catalog.Shared}
	var pk []string
	var uniques []uniqueConstraint
	for _, elt := range cs.TableElts {
		switch {
		case elt.GetColumnDef() != nil:
			col, isPK, err := s.columnDefinition(elt.GetColumnDef())
			if err != nil {
				return nil, err
			}
			for _, n := range elt.GetColumnDef().Constraints {
				if c := n.GetConstraint(); c.Contype == pg_query.ConstrType_CONSTR_UNIQUE {
					u, err := readUnique(c, col.Name)
					if err != nil {
						return nil, err
					}
					uniques = append(uniques, u)
				}
			}
			if t.ColumnIndex(col.Name) >= 0 {
				return nil, pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", col.Name)
			}
			t.Columns = append(t.Columns, col)
			if isPK {
				if pk != nil {
					return nil, pgerr.New(pgerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
				}
				pk = []string{col.Name}
			}
		case elt.GetConstraint() != nil:
			c := elt.GetConstraint()
			if c.Contype == pg_query.ConstrType_CONSTR_UNIQUE {
				u, err := readUnique(c, "")
				if err != nil {
					return nil, err
				}
				uniques = append(uniques, u)
				continue
			}
			if c.Contype != pg_query.ConstrType_CONSTR_PRIMARY {
				return nil, unsupportedConstraint(c)
			}
			if pk != nil {
				return nil, pgerr.New(pgerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
			}
			pk = nameList(c.Keys)
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "table element %s is not supported", nodeName(elt))
		}
	}
	for _, name := range pk {
		i := t.ColumnIndex(name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q named in key does not exist", name)
		}
		t.PrimaryKey = append(t.PrimaryKey, i)
		t.Columns[i].NotNull = true
	}
	if err := addUniqueIndexes(t, uniques); err != nil {
		return nil, err
	}
	if err := tableOptions(t, cs.Options); err != nil {
		return nil, err
	}
	return t, nil
}

func unsupportedConstraint(c *pg_query.Constraint) error {
	kind := strings.ToLower(strings.TrimPrefix(c.Contype.String(), "CONSTR_"))
	return pgerr.New(pgerr.FeatureNotSupported, "%s constraints are not supported yet (only PRIMARY KEY, UNIQUE, NOT NULL and DEFAULT)", kind)
}

// columnDefinition reads one column of CREATE TABLE.
func (s *Session) columnDefinition(cd *pg_query.ColumnDef) (catalog.Column, bool, error) {
	col := catalog.Column{Name: cd.Colname}
	typ, serial, err := lookupType(cd.TypeName)
	if err != nil {
		return col, false, err
	}
	if serial {
		// serial and bigserial draw from kalamdb_id(), which needs 64 bits.
		typ, col.Default, col.NotNull = types.Of(types.Int8), "kalamdb_id()", true
	}
	col.Type = typ
	isPK := false
	for _, n := range cd.Constraints {
		c := n.GetConstraint()
		switch c.Contype {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			col.NotNull = true
		case pg_query.ConstrType_CONSTR_NULL:
			col.NotNull = false
		case pg_query.ConstrType_CONSTR_PRIMARY:
			isPK, col.NotNull = true, true
		case pg_query.ConstrType_CONSTR_UNIQUE:
			// tableDefinition adds the index once all columns are known.
		case pg_query.ConstrType_CONSTR_IDENTITY:
			if col.Identity != "" || col.Default != "" {
				return col, false, pgerr.New(pgerr.SyntaxError, "multiple identity or default specifications for column %q", col.Name)
			}
			if col.Identity, err = identityOption(c, col.Name, typ); err != nil {
				return col, false, err
			}
			col.NotNull = true
		case pg_query.ConstrType_CONSTR_DEFAULT:
			text, err := deparseExpr(c.RawExpr)
			if err != nil {
				return col, false, err
			}
			if col.Identity != "" {
				return col, false, pgerr.New(pgerr.SyntaxError, "both default and identity specified for column %q", col.Name)
			}
			// Check the default compiles for the column's type now, not at
			// the first INSERT.
			if _, err := expr.CompileAs(c.RawExpr, noScope{}, &expr.Params{}, typ); err != nil {
				return col, false, err
			}
			col.Default = text
		default:
			return col, false, unsupportedConstraint(c)
		}
	}
	return col, isPK, nil
}

// lookupType resolves a TypeName node (with typmods and array bounds).
func lookupType(tn *pg_query.TypeName) (types.Type, bool, error) {
	names := nameList(tn.Names)
	name := names[len(names)-1]
	var mods []int32
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return types.Type{}, false, pgerr.New(pgerr.SyntaxError, "type modifiers must be simple constants")
		}
		mods = append(mods, c.GetIval().Ival)
	}
	if len(tn.ArrayBounds) > 0 {
		name = "_" + name
	}
	return types.Lookup(name, mods)
}

// deparse renders a statement node as SQL text. Deparse refuses a tree
// without the library's parse tree version, so the version is taken from
// a parse rather than written down here.
func deparse(stmt *pg_query.Node) (string, error) {
	probe, err := pg_query.Parse("SELECT")
	if err != nil {
		return "", syntaxError(err)
	}
	return pg_query.Deparse(&pg_query.ParseResult{Version: probe.Version, Stmts: []*pg_query.RawStmt{{Stmt: stmt}}})
}

// deparseExpr renders an expression node as SQL text.
func deparseExpr(n *pg_query.Node) (string, error) {
	text, err := deparse(&pg_query.Node{Node: &pg_query.Node_SelectStmt{
		SelectStmt: &pg_query.SelectStmt{TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(n, 0)}},
	}})
	if err != nil {
		return "", pgerr.Wrap(err, pgerr.SyntaxError, "cannot store default expression: %v", err)
	}
	return strings.TrimPrefix(text, "SELECT "), nil
}

// tableOptions reads WITH (type = 'user', flush_rows = N,
// flush_interval = '10m', ttl = '30s').
func tableOptions(t *catalog.Table, opts []*pg_query.Node) error {
	for _, n := range opts {
		d := n.GetDefElem()
		val := defArg(d.Arg)
		switch strings.ToLower(d.Defname) {
		case "type":
			switch catalog.TableType(strings.ToLower(val)) {
			case catalog.User, catalog.Shared, catalog.Stream:
				t.Type = catalog.TableType(strings.ToLower(val))
			default:
				return pgerr.New(pgerr.InvalidParameterValue, "invalid table type %q: use user, shared or stream", val)
			}
		case "flush_rows":
			v, err := strconv.ParseInt(val, 10, 64)
			if err != nil || v <= 0 {
				return pgerr.New(pgerr.InvalidParameterValue, "invalid value for flush_rows: %q", val)
			}
			t.Options.FlushRows = v
		case "flush_interval", "ttl":
			dur, err := parseInterval(val)
			if err != nil {
				return err
			}
			if d.Defname == "ttl" {
				t.Options.TTL = dur
			} else {
				t.Options.FlushInterval = dur
			}
		default:
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized parameter %q", d.Defname)
		}
	}
	switch {
	case t.Type == catalog.Stream && t.Options.TTL <= 0:
		return pgerr.New(pgerr.InvalidParameterValue, "stream tables need a ttl, e.g. WITH (type = 'stream', ttl = '30s')")
	case t.Type != catalog.Stream && t.Options.TTL > 0:
		return pgerr.New(pgerr.InvalidParameterValue, "ttl applies to stream tables only")
	case t.Type == catalog.Stream && (t.Options.FlushRows > 0 || t.Options.FlushInterval > 0):
		return pgerr.New(pgerr.InvalidParameterValue, "stream tables are never flushed: flush_rows and flush_interval do not apply")
	}
	return nil
}

func defArg(n *pg_query.Node) string {
	switch {
	case n == nil:
		return ""
	case n.GetString_() != nil:
		return n.GetString_().Sval
	case n.GetInteger() != nil:
		return strconv.FormatInt(int64(n.GetInteger().Ival), 10)
	case n.GetFloat() != nil:
		return n.GetFloat().Fval
	case n.GetTypeName() != nil:
		names := nameList(n.GetTypeName().Names)
		return names[len(names)-1]
	}
	return ""
}

// parseInterval reads a duration option: an interval literal such as
// '30s', '10m', '10 minutes', '1 hour' or '1 day'.
func parseInterval(v string) (time.Duration, error) {
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	iv, err := types.ParseText(types.Of(types.IntervalOID), v, nil)
	if err != nil {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid duration %q", v)
	}
	i := iv.(types.Interval)
	d := time.Duration(i.Micros)*time.Microsecond + time.Duration(i.Days)*24*time.Hour + time.Duration(i.Months)*30*24*time.Hour
	if d <= 0 {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "duration %q must be positive", v)
	}
	return d, nil
}

func (s *Session) bindDrop(d *pg_query.DropStmt) (plan, error) {
	cascade := d.Behavior == pg_query.DropBehavior_DROP_CASCADE
	switch d.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
			for _, obj := range d.Objects {
				names := nameList(obj.GetList().Items)
				name := names[len(names)-1]
				schema := ""
				if len(names) > 1 {
					var err error
					if schema, err = s.ownTempSchema(names[len(names)-2]); err != nil {
						return nil, err
					}
				} else if t, err := s.findInPath(name); err == nil {
					schema = t.Schema
				}
				// The session's own temporary tables need no DDL role.
				if schema == "" || schema != s.tempSchema {
					if err := s.requireRole(ddlRole, "drop table"); err != nil {
						return nil, err
					}
				}
				t, err := s.eng.cat.DropTable(ctx, schema, name, d.MissingOk)
				if err != nil {
					return nil, err
				}
				if t != nil {
					if err := s.eng.dropTableData(ctx, t); err != nil {
						return nil, err
					}
				}
			}
			return tagOnly("DROP TABLE"), nil
		}), nil
	case pg_query.ObjectType_OBJECT_INDEX:
		return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
			return s.dropIndexes(ctx, d)
		}), nil
	case pg_query.ObjectType_OBJECT_VIEW:
		return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
			return s.dropViews(ctx, d)
		}), nil
	case pg_query.ObjectType_OBJECT_SCHEMA:
		return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
			if err := s.requireRole(ddlRole, "drop schema"); err != nil {
				return nil, err
			}
			for _, obj := range d.Objects {
				name := strVal(obj)
				if name == "public" {
					return nil, pgerr.New(pgerr.InsufficientPrivilege, "schema public cannot be dropped")
				}
				tables, err := s.eng.cat.DropSchema(ctx, name, d.MissingOk, cascade)
				if err != nil {
					return nil, err
				}
				for _, t := range tables {
					if err := s.eng.dropTableData(ctx, t); err != nil {
						return nil, err
					}
				}
			}
			return tagOnly("DROP SCHEMA"), nil
		}), nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "DROP %s is not supported", strings.TrimPrefix(d.RemoveType.String(), "OBJECT_"))
}
