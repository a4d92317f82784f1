package pgcatalog

import (
	"sort"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

// Column is a column of a catalog relation.
type Column struct {
	Name string
	Type types.Type
}

// Relation is one catalog table or view.
type Relation struct {
	Schema  string // "pg_catalog" or "information_schema"
	Name    string
	OID     uint32
	View    bool // relkind 'v' in pg_class
	Columns []Column
}

// Rows computes the relation's rows from v.
func (r *Relation) Rows(v *View) [][]any { return v.rows(r) }

// Setting is one run-time parameter as pg_settings shows it.
type Setting struct {
	Name, Value string
}

// Activity is one session as pg_stat_activity shows it.
type Activity struct {
	PID         uint32
	User        string
	Application string
	ClientAddr  string
	Started     time.Time
	XactStart   time.Time // zero when idle
	State       string
	Query       string
}

// PreparedStatement is a row of pg_prepared_statements.
type PreparedStatement struct {
	Name        string
	Statement   string
	PrepareTime time.Time
	ParamTypes  []uint32
}

// View is what the catalog relations and functions are computed from: one
// snapshot of the catalog and the session that asks.
type View struct {
	Catalog    *catalog.Catalog
	User       string   // current_user
	Database   string   // current_database()
	SearchPath []string // existing schemas of search_path, in order
	// TempSchema is the session's temporary schema, "" until it creates a
	// temporary table; it is searched first for relations, as pg_temp is.
	TempSchema string
	PID        uint32
	Settings   func() []Setting
	Activity   func() []Activity
	Prepared   func() []PreparedStatement
	Started    time.Time // pg_postmaster_start_time()
}

// Lookup finds the relation schema.name; schema "" looks in pg_catalog
// only, as the implicit head of every search path.
func Lookup(schema, name string) (*Relation, bool) {
	switch schema {
	case "", PGCatalog:
		r, ok := pgCatalog[name]
		return r, ok
	case InformationSchema:
		r, ok := infoSchema[name]
		return r, ok
	}
	return nil, false
}

// IsSystemSchema reports whether name is one of the catalog schemas.
func IsSystemSchema(name string) bool {
	return name == PGCatalog || name == InformationSchema
}

// Schema names.
const (
	PGCatalog         = "pg_catalog"
	InformationSchema = "information_schema"
)

// registry builds the lookup table of relations by name.
func registry(rels ...*Relation) map[string]*Relation {
	m := make(map[string]*Relation, len(rels))
	for _, r := range rels {
		m[r.Name] = r
	}
	return m
}

// relations lists every relation of schema in name order.
func relations(schema string) []*Relation {
	src := pgCatalog
	if schema == InformationSchema {
		src = infoSchema
	}
	out := make([]*Relation, 0, len(src))
	for _, r := range src {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// cols builds a column list from name/OID pairs.
func cols(spec ...any) []Column {
	out := make([]Column, 0, len(spec)/2)
	for i := 0; i+1 < len(spec); i += 2 {
		out = append(out, Column{Name: spec[i].(string), Type: types.Of(spec[i+1].(types.OID))})
	}
	return out
}

// rel declares a relation.
func rel(schema, name string, oid uint32, view bool, c []Column) *Relation {
	return &Relation{Schema: schema, Name: name, OID: oid, View: view, Columns: c}
}

// oid is an OID as the engine holds it.
func oid(o uint32) any { return int64(o) }

// text returns s, or NULL when it is empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// tables returns the catalog's tables sorted by schema and name.
func (v *View) tables() []*catalog.Table {
	ts := v.Catalog.Tables()
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Schema != ts[j].Schema {
			return ts[i].Schema < ts[j].Schema
		}
		return ts[i].Name < ts[j].Name
	})
	return ts
}

// schemaOID is the OID of a schema, including the system ones.
func (v *View) schemaOID(name string) uint32 {
	switch name {
	case PGCatalog:
		return oidPGCatalog
	case InformationSchema:
		return oidInfoSchema
	case "pg_toast":
		return oidPGToast
	}
	if s, ok := v.Catalog.Schema(name); ok {
		return s.OID
	}
	return 0
}

// schemaName is the name of the schema with OID o ("" when none).
func (v *View) schemaName(o uint32) string {
	switch o {
	case oidPGCatalog:
		return PGCatalog
	case oidInfoSchema:
		return InformationSchema
	case oidPGToast:
		return "pg_toast"
	}
	for _, s := range v.Catalog.Schemas() {
		if s.OID == o {
			return s.Name
		}
	}
	return ""
}

// visible reports whether schema is searched for unqualified names: the
// catalog first, then the search path.
func (v *View) visible(schema string) bool {
	if schema == PGCatalog || (schema != "" && schema == v.TempSchema) {
		return true
	}
	for _, s := range v.SearchPath {
		if s == schema {
			return true
		}
	}
	return false
}

// quoteIdent quotes an identifier when PostgreSQL would.
func quoteIdent(s string) string {
	safe := s != ""
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '$')) {
			safe = false
			break
		}
	}
	if safe && !reservedWord(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWord covers the reserved keywords a column or table name is
// likely to be.
func reservedWord(s string) bool {
	switch s {
	case "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
		"check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
		"current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
		"else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
		"initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
		"null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
		"session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user",
		"using", "variadic", "when", "where", "window", "with":
		return true
	}
	return false
}

// QuoteIdent is quote_ident().
func QuoteIdent(s string) string { return quoteIdent(s) }

// TempSchemaPrefix starts the name of every session's temporary schema
// (PostgreSQL's pg_temp_N; names starting with pg_ are reserved in our
// catalog, so ours are kalamdb_temp_N).
const TempSchemaPrefix = "kalamdb_temp_"

// IsTempSchema reports whether schema holds some session's temporary
// tables.
func IsTempSchema(schema string) bool { return strings.HasPrefix(schema, TempSchemaPrefix) }
