package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Call evaluates a catalog function for package expr (see expr.Env.Catalog).
// OID arguments arrive as int64, text as string; a NULL argument never
// reaches Call for the strict ones.
func (v *View) Call(name string, args []any) (any, error) {
	argOID := func(i int) uint32 {
		if i < len(args) {
			if n, ok := args[i].(int64); ok {
				return uint32(n)
			}
		}
		return 0
	}
	argText := func(i int) string {
		if i < len(args) {
			s, _ := args[i].(string)
			return s
		}
		return ""
	}
	switch name {
	case "pg_get_userbyid":
		if n := v.RoleName(argOID(0)); n != "" {
			return n, nil
		}
		return "unknown (OID=" + strconv.FormatUint(uint64(argOID(0)), 10) + ")", nil
	case "format_type":
		if args[0] == nil {
			return nil, nil
		}
		mod := int32(-1)
		if len(args) > 1 {
			if m, ok := args[1].(int64); ok {
				mod = int32(m)
			}
		}
		return v.FormatType(argOID(0), mod), nil
	case "pg_get_expr":
		return args[0], nil // adbin holds SQL text already
	case "pg_get_indexdef":
		ix, ok := v.findIndex(argOID(0))
		if !ok {
			return nil, nil
		}
		if col := argOID(1); col > 0 {
			if int(col) > len(ix.attnums) {
				return "", nil
			}
			return quoteIdent(ix.table.Columns[ix.attnums[col-1]-1].Name), nil
		}
		return ix.def(), nil
	case "pg_get_constraintdef":
		for _, t := range v.Catalog.Tables() {
			for _, ix := range indexes(t) {
				if (ix.primary || ix.constraint) && ix.conOID() == argOID(0) {
					return ix.constraintDef(), nil
				}
			}
		}
		return nil, nil
	case "pg_get_viewdef":
		for _, vw := range v.Catalog.Views() {
			if vw.ID == argOID(0) {
				return vw.Query, nil
			}
		}
		return nil, nil
	case "obj_description", "col_description", "shobj_description", "pg_get_function_result",
		"pg_get_function_arguments", "pg_get_function_identity_arguments", "pg_get_statisticsobjdef_columns",
		"pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef":
		if name == "pg_get_function_result" {
			if p, ok := procByOID(argOID(0)); ok {
				return v.FormatType(uint32(p.ret), -1), nil
			}
		}
		if name == "pg_get_function_arguments" || name == "pg_get_function_identity_arguments" {
			if p, ok := procByOID(argOID(0)); ok {
				parts := make([]string, len(p.args))
				for i, a := range p.args {
					parts[i] = v.FormatType(uint32(a), -1)
				}
				return strings.Join(parts, ", "), nil
			}
		}
		return nil, nil
	case "pg_table_is_visible":
		return v.relationVisible(argOID(0)), nil
	case "pg_type_is_visible", "pg_function_is_visible":
		if name == "pg_type_is_visible" {
			if _, ok := findType(argOID(0)); !ok {
				for _, t := range v.Catalog.Tables() {
					if rowTypeOID(t.ID) == argOID(0) {
						return v.visible(t.Schema), nil
					}
				}
			}
		}
		return true, nil
	case "pg_relation_is_publishable":
		return false, nil
	case "regclassin", "to_regclass":
		o, ok := v.relationOID(argText(0))
		if !ok {
			if name == "to_regclass" {
				return nil, nil
			}
			return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", argText(0))
		}
		return int64(o), nil
	case "regclassout":
		return v.relationName(argOID(0)), nil
	case "regtypein", "to_regtype":
		o, ok := typeOIDByName(argText(0))
		if !ok {
			for _, t := range v.Catalog.Tables() {
				if t.Name == argText(0) {
					return int64(rowTypeOID(t.ID)), nil
				}
			}
			if name == "to_regtype" {
				return nil, nil
			}
			return nil, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", argText(0))
		}
		return int64(o), nil
	case "regtypeout":
		return v.FormatType(argOID(0), -1), nil
	case "regnamespacein", "to_regnamespace":
		s := strings.Trim(argText(0), `"`)
		if o := v.schemaOID(s); o != 0 {
			return int64(o), nil
		}
		if name == "to_regnamespace" {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedSchema, "schema %q does not exist", s)
	case "regnamespaceout":
		if s := v.schemaName(argOID(0)); s != "" {
			return quoteIdent(s), nil
		}
		return strconv.FormatUint(uint64(argOID(0)), 10), nil
	case "regprocin", "to_regproc":
		if o, ok := procOIDByName(argText(0)); ok {
			return int64(o), nil
		}
		if name == "to_regproc" {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", argText(0))
	case "regprocout":
		if p, ok := procByOID(argOID(0)); ok {
			return p.name, nil
		}
		if argOID(0) == 0 {
			return "-", nil
		}
		return strconv.FormatUint(uint64(argOID(0)), 10), nil
	case "regrolein", "to_regrole":
		if n := argText(0); v.RoleName(RoleOID(n)) == n {
			return int64(RoleOID(n)), nil
		}
		if name == "to_regrole" {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedObject, "role %q does not exist", argText(0))
	case "regroleout":
		if n := v.RoleName(argOID(0)); n != "" {
			return n, nil
		}
		return strconv.FormatUint(uint64(argOID(0)), 10), nil
	case "pg_backend_pid":
		return int64(v.PID), nil
	case "pg_postmaster_start_time":
		return v.Started, nil
	case "current_schemas":
		implicit, _ := args[0].(bool)
		var out []any
		if implicit {
			if v.TempSchema != "" {
				out = append(out, v.TempSchema)
			}
			out = append(out, PGCatalog)
		}
		for _, s := range v.SearchPath {
			out = append(out, s)
		}
		return out, nil
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "function %s is not a catalog function", name)
}

// relationOID resolves a (possibly qualified, possibly quoted) relation
// name as regclass input does.
func (v *View) relationOID(name string) (uint32, bool) {
	parts := splitQualified(name)
	schema, rel := "", parts[len(parts)-1]
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	if schema == "pg_temp" {
		schema = v.TempSchema
	}
	if schema != "" {
		return v.relationIn(schema, rel)
	}
	if v.TempSchema != "" {
		if o, ok := v.relationIn(v.TempSchema, rel); ok {
			return o, true
		}
	}
	if o, ok := v.relationIn(PGCatalog, rel); ok {
		return o, true
	}
	for _, s := range v.SearchPath {
		if o, ok := v.relationIn(s, rel); ok {
			return o, true
		}
	}
	return 0, false
}

// splitQualified splits a dotted name outside double quotes, folding
// unquoted parts to lower case.
func splitQualified(name string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '"':
			quoted = !quoted
		case '.':
			if !quoted {
				parts = append(parts, unquote(strings.TrimSpace(name[start:i])))
				start = i + 1
			}
		}
	}
	return append(parts, unquote(strings.TrimSpace(name[start:])))
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

func (v *View) relationIn(schema, name string) (uint32, bool) {
	if r, ok := Lookup(schema, name); ok && IsSystemSchema(schema) {
		return r.OID, true
	}
	if t, ok := v.Catalog.Table(schema, name); ok {
		return t.ID, true
	}
	if vw, ok := v.Catalog.View(schema, name); ok {
		return vw.ID, true
	}
	if _, ix, ok := v.Catalog.FindIndex(schema, name); ok {
		return ix.ID, true
	}
	for _, t := range v.Catalog.Tables() {
		if t.Schema == schema && len(t.PrimaryKey) > 0 && pkeyName(t) == name {
			return pkeyOID(t.ID), true
		}
	}
	return 0, false
}

// relationName is regclass output: the name, qualified when the relation
// is not visible through the search path.
func (v *View) relationName(o uint32) string {
	schema, name := v.relationByOID(o)
	if name == "" {
		return strconv.FormatUint(uint64(o), 10)
	}
	if v.visible(schema) {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}

func (v *View) relationByOID(o uint32) (schema, name string) {
	if t, ok := v.Catalog.TableByID(o); ok {
		return t.Schema, t.Name
	}
	if ix, ok := v.findIndex(o); ok {
		return ix.table.Schema, ix.name
	}
	for _, vw := range v.Catalog.Views() {
		if vw.ID == o {
			return vw.Schema, vw.Name
		}
	}
	for _, s := range []string{PGCatalog, InformationSchema} {
		for _, r := range relations(s) {
			if r.OID == o {
				return s, r.Name
			}
		}
	}
	return "", ""
}

// relationVisible is pg_table_is_visible: the relation is the first of
// its name along the search path.
func (v *View) relationVisible(o uint32) bool {
	schema, name := v.relationByOID(o)
	if name == "" || !v.visible(schema) {
		return false
	}
	first, ok := v.relationOID(quoteIdent(name))
	return ok && first == o
}
