package pgcatalog

import (
	"sort"
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

// indexInfo is an index as pg_index and pg_class show it: the primary key
// (which KalamDB keeps as the row key, not as an index object) or a
// secondary index.
type indexInfo struct {
	oid     uint32
	name    string
	table   *catalog.Table
	attnums []int // 1-based column numbers
	unique  bool
	primary bool
	// constraint: the index of a UNIQUE constraint.
	constraint bool
}

// conOID is the OID of the constraint ix backs: by table id for the
// primary key, by index id for a UNIQUE constraint (ids share a counter).
func (ix indexInfo) conOID() uint32 {
	if ix.primary {
		return conOID(ix.table.ID)
	}
	return conOID(ix.oid)
}

func (ix indexInfo) contype() string {
	if ix.primary {
		return "p"
	}
	return "u"
}

// constraintDef is pg_get_constraintdef of the constraint ix backs.
func (ix indexInfo) constraintDef() string {
	if ix.primary {
		return "PRIMARY KEY (" + ix.columnList() + ")"
	}
	return "UNIQUE (" + ix.columnList() + ")"
}

// indexes lists t's primary key and secondary indexes.
func indexes(t *catalog.Table) []indexInfo {
	var out []indexInfo
	if len(t.PrimaryKey) > 0 {
		ix := indexInfo{oid: pkeyOID(t.ID), name: pkeyName(t), table: t, unique: true, primary: true}
		for _, c := range t.PrimaryKey {
			ix.attnums = append(ix.attnums, c+1)
		}
		out = append(out, ix)
	}
	for _, x := range t.Indexes {
		ix := indexInfo{oid: x.ID, name: x.Name, table: t, unique: x.Unique, constraint: x.Constraint}
		for _, id := range x.Columns {
			ix.attnums = append(ix.attnums, t.ColumnByID(id)+1)
		}
		out = append(out, ix)
	}
	return out
}

func pkeyName(t *catalog.Table) string { return t.Name + "_pkey" }

// findIndex finds the index with OID o.
func (v *View) findIndex(o uint32) (indexInfo, bool) {
	for _, t := range v.Catalog.Tables() {
		for _, ix := range indexes(t) {
			if ix.oid == o {
				return ix, true
			}
		}
	}
	return indexInfo{}, false
}

// indexDef is pg_get_indexdef: the CREATE INDEX statement of ix.
func (ix indexInfo) def() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX " + quoteIdent(ix.name) + " ON " + quoteIdent(ix.table.Schema) + "." + quoteIdent(ix.table.Name) + " USING btree (")
	b.WriteString(ix.columnList())
	b.WriteString(")")
	return b.String()
}

func (ix indexInfo) columnList() string {
	names := make([]string, len(ix.attnums))
	for i, a := range ix.attnums {
		if a >= 1 && a <= len(ix.table.Columns) {
			names[i] = quoteIdent(ix.table.Columns[a-1].Name)
		}
	}
	return strings.Join(names, ", ")
}

var pgNamespaceColumns = cols("oid", types.OIDType, "nspname", types.Name, "nspowner", types.OIDType, "nspacl", types.TextArray)

func (v *View) namespaceRows() [][]any {
	rows := [][]any{
		{oid(oidPGCatalog), PGCatalog, oid(oidBootstrap), nil},
		{oid(oidPGToast), "pg_toast", oid(oidBootstrap), nil},
		{oid(oidInfoSchema), InformationSchema, oid(oidBootstrap), nil},
	}
	for _, s := range v.Catalog.Schemas() {
		rows = append(rows, []any{oid(s.OID), s.Name, oid(oidBootstrap), nil})
	}
	return rows
}

var pgClassColumns = cols(
	"oid", types.OIDType, "relname", types.Name, "relnamespace", types.OIDType, "reltype", types.OIDType,
	"reloftype", types.OIDType, "relowner", types.OIDType, "relam", types.OIDType, "relfilenode", types.OIDType,
	"reltablespace", types.OIDType, "relpages", types.Int4, "reltuples", types.Float4, "relallvisible", types.Int4,
	"reltoastrelid", types.OIDType, "relhasindex", types.Bool, "relisshared", types.Bool, "relpersistence", types.Char,
	"relkind", types.Char, "relnatts", types.Int2, "relchecks", types.Int2, "relhasrules", types.Bool,
	"relhastriggers", types.Bool, "relhassubclass", types.Bool, "relrowsecurity", types.Bool,
	"relforcerowsecurity", types.Bool, "relispopulated", types.Bool, "relreplident", types.Char,
	"relispartition", types.Bool, "relrewrite", types.OIDType, "relfrozenxid", types.OIDType,
	"relminmxid", types.OIDType, "relacl", types.TextArray, "reloptions", types.TextArray, "relpartbound", types.Text,
)

func classTuple(o uint32, name string, nsp, rowType, am uint32, kind byte, natts int, hasIndex bool, options []any) []any {
	return classTupleP(o, name, nsp, rowType, am, kind, natts, hasIndex, options, "p")
}

// classTupleP is classTuple with a relpersistence: 't' for the tables
// and indexes of a temporary schema.
func classTupleP(o uint32, name string, nsp, rowType, am uint32, kind byte, natts int, hasIndex bool, options []any, persistence string) []any {
	var opts any
	if len(options) > 0 {
		opts = options
	}
	return []any{
		oid(o), name, oid(nsp), oid(rowType), oid(0), oid(oidBootstrap), oid(am), oid(o),
		oid(0), int64(0), float64(-1), int64(0), oid(0), hasIndex, false, persistence,
		string(kind), int64(natts), int64(0), false, false, false, false,
		false, true, "d", false, oid(0), oid(0), oid(0), nil, opts, nil,
	}
}

// tableOptions renders a table's WITH options as reloptions.
func tableOptions(t *catalog.Table) []any {
	out := []any{"type=" + string(t.Type)}
	if t.Options.FlushRows > 0 {
		out = append(out, "flush_rows="+strconv.FormatInt(t.Options.FlushRows, 10))
	}
	if t.Options.FlushInterval > 0 {
		out = append(out, "flush_interval="+t.Options.FlushInterval.String())
	}
	if t.Options.TTL > 0 {
		out = append(out, "ttl="+t.Options.TTL.String())
	}
	return out
}

func (v *View) classRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		nsp := v.schemaOID(t.Schema)
		ixs := indexes(t)
		persistence := "p"
		if IsTempSchema(t.Schema) {
			persistence = "t"
		}
		rows = append(rows, classTupleP(t.ID, t.Name, nsp, rowTypeOID(t.ID), oidHeapAM, 'r', len(t.Columns), len(ixs) > 0, tableOptions(t), persistence))
		for _, ix := range ixs {
			rows = append(rows, classTupleP(ix.oid, ix.name, nsp, 0, oidBtreeAM, 'i', len(ix.attnums), false, nil, persistence))
		}
	}
	for _, vw := range v.views() {
		rows = append(rows, classTuple(vw.ID, vw.Name, v.schemaOID(vw.Schema), 0, 0, 'v', len(vw.Columns), false, nil))
	}
	for _, schema := range []string{PGCatalog, InformationSchema} {
		for _, r := range relations(schema) {
			kind := byte('r')
			var am uint32 = oidHeapAM
			if r.View {
				kind, am = 'v', 0
			}
			rows = append(rows, classTuple(r.OID, r.Name, v.schemaOID(schema), 0, am, kind, len(r.Columns), false, nil))
		}
	}
	return rows
}

var pgAttributeColumns = cols(
	"attrelid", types.OIDType, "attname", types.Name, "atttypid", types.OIDType, "attstattarget", types.Int4,
	"attlen", types.Int2, "attnum", types.Int2, "attndims", types.Int4, "attcacheoff", types.Int4,
	"atttypmod", types.Int4, "attbyval", types.Bool, "attalign", types.Char, "attstorage", types.Char,
	"attcompression", types.Char, "attnotnull", types.Bool, "atthasdef", types.Bool, "atthasmissing", types.Bool,
	"attidentity", types.Char, "attgenerated", types.Char, "attisdropped", types.Bool, "attislocal", types.Bool,
	"attinhcount", types.Int4, "attcollation", types.OIDType, "attacl", types.TextArray,
	"attoptions", types.TextArray, "attfdwoptions", types.TextArray,
)

func attTuple(rel uint32, name string, t types.Type, num int, notNull, hasDef bool) []any {
	bt, _ := findType(uint32(t.OID))
	ndims := int64(0)
	if bt.arrayOf {
		ndims = 1
	}
	storage := "p"
	if bt.len == -1 {
		storage = "x"
	}
	align := bt.align
	if align == 0 {
		align = 'i'
	}
	return []any{
		oid(rel), name, oid(uint32(t.OID)), int64(-1), int64(bt.len), int64(num), ndims, int64(-1),
		int64(t.Mod), bt.byval, string(align), storage, "", notNull, hasDef, false,
		"", "", false, true, int64(0), oid(bt.coll), nil, nil, nil,
	}
}

// attributeRows lists the visible columns of every table and index, and
// of the catalog relations; _seq and _deleted are not among them.
func (v *View) attributeRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		for i, c := range t.Columns {
			row := attTuple(t.ID, c.Name, c.Type, i+1, c.NotNull || isPKey(t, i), c.Default != "")
			row[16] = c.Identity // attidentity
			rows = append(rows, row)
		}
		for _, ix := range indexes(t) {
			for i, a := range ix.attnums {
				if a < 1 || a > len(t.Columns) {
					continue
				}
				c := t.Columns[a-1]
				rows = append(rows, attTuple(ix.oid, c.Name, c.Type, i+1, false, false))
			}
		}
	}
	for _, schema := range []string{PGCatalog, InformationSchema} {
		for _, r := range relations(schema) {
			for i, c := range r.Columns {
				rows = append(rows, attTuple(r.OID, c.Name, c.Type, i+1, false, false))
			}
		}
	}
	return rows
}

func isPKey(t *catalog.Table, col int) bool {
	for _, c := range t.PrimaryKey {
		if c == col {
			return true
		}
	}
	return false
}

var pgIndexColumns = cols(
	"indexrelid", types.OIDType, "indrelid", types.OIDType, "indnatts", types.Int2, "indnkeyatts", types.Int2,
	"indisunique", types.Bool, "indnullsnotdistinct", types.Bool, "indisprimary", types.Bool,
	"indisexclusion", types.Bool, "indimmediate", types.Bool, "indisclustered", types.Bool, "indisvalid", types.Bool,
	"indcheckxmin", types.Bool, "indisready", types.Bool, "indislive", types.Bool, "indisreplident", types.Bool,
	"indkey", types.Int2Array, "indcollation", types.OIDArray, "indclass", types.OIDArray,
	"indoption", types.Int2Array, "indexprs", types.Text, "indpred", types.Text,
)

func (v *View) indexRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		for _, ix := range indexes(t) {
			key, coll, class, opt := make([]any, 0, len(ix.attnums)), []any{}, []any{}, []any{}
			for _, a := range ix.attnums {
				key = append(key, int64(a))
				coll = append(coll, oid(0))
				class = append(class, oid(0))
				opt = append(opt, int64(0))
			}
			n := int64(len(ix.attnums))
			rows = append(rows, []any{
				oid(ix.oid), oid(t.ID), n, n, ix.unique, false, ix.primary, false, true, false, true,
				false, true, true, false, key, coll, class, opt, nil, nil,
			})
		}
	}
	return rows
}

var pgConstraintColumns = cols(
	"oid", types.OIDType, "conname", types.Name, "connamespace", types.OIDType, "contype", types.Char,
	"condeferrable", types.Bool, "condeferred", types.Bool, "convalidated", types.Bool, "conrelid", types.OIDType,
	"contypid", types.OIDType, "conindid", types.OIDType, "conparentid", types.OIDType, "confrelid", types.OIDType,
	"confupdtype", types.Char, "confdeltype", types.Char, "confmatchtype", types.Char, "conislocal", types.Bool,
	"coninhcount", types.Int4, "connoinherit", types.Bool, "conkey", types.Int2Array, "confkey", types.Int2Array,
	"conpfeqop", types.OIDArray, "conppeqop", types.OIDArray, "conffeqop", types.OIDArray,
	"confdelsetcols", types.Int2Array, "conexclop", types.OIDArray, "conbin", types.Text,
)

// constraintRows are the primary keys and UNIQUE constraints: KalamDB
// has no other constraints but NOT NULL, which PostgreSQL 15 keeps in
// pg_attribute.
func (v *View) constraintRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		for _, ix := range indexes(t) {
			if !ix.primary && !ix.constraint {
				continue
			}
			key := make([]any, len(ix.attnums))
			for i, a := range ix.attnums {
				key[i] = int64(a)
			}
			rows = append(rows, []any{
				oid(ix.conOID()), ix.name, oid(v.schemaOID(t.Schema)), ix.contype(), false, false, true, oid(t.ID),
				oid(0), oid(ix.oid), oid(0), oid(0), " ", " ", " ", true, int64(0), true, key, nil,
				nil, nil, nil, nil, nil, nil,
			})
		}
	}
	return rows
}

var pgAttrdefColumns = cols("oid", types.OIDType, "adrelid", types.OIDType, "adnum", types.Int2, "adbin", types.Text)

// attrdefRows hold column defaults; adbin is the expression's SQL text,
// which pg_get_expr returns as it is.
func (v *View) attrdefRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		for i, c := range t.Columns {
			if c.Default != "" {
				rows = append(rows, []any{oid(attrdefOID(t.ID, i+1)), oid(t.ID), int64(i + 1), c.Default})
			}
		}
	}
	return rows
}

var pgTablesColumns = cols("schemaname", types.Name, "tablename", types.Name, "tableowner", types.Name,
	"tablespace", types.Name, "hasindexes", types.Bool, "hasrules", types.Bool, "hastriggers", types.Bool,
	"rowsecurity", types.Bool)

func (v *View) pgTablesRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		rows = append(rows, []any{t.Schema, t.Name, "root", nil, len(indexes(t)) > 0, false, false, false})
	}
	return rows
}

var pgIndexesColumns = cols("schemaname", types.Name, "tablename", types.Name, "indexname", types.Name,
	"tablespace", types.Name, "indexdef", types.Text)

func (v *View) pgIndexesRows() [][]any {
	var rows [][]any
	for _, t := range v.tables() {
		for _, ix := range indexes(t) {
			rows = append(rows, []any{t.Schema, t.Name, ix.name, nil, ix.def()})
		}
	}
	return rows
}

// views returns the catalog's views sorted by schema and name.
func (v *View) views() []*catalog.View {
	vs := v.Catalog.Views()
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Schema != vs[j].Schema {
			return vs[i].Schema < vs[j].Schema
		}
		return vs[i].Name < vs[j].Name
	})
	return vs
}

func (v *View) pgViewsRows() [][]any {
	var rows [][]any
	for _, vw := range v.views() {
		rows = append(rows, []any{vw.Schema, vw.Name, "root", vw.Query})
	}
	return rows
}
