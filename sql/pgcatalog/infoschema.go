package pgcatalog

import (
	"strconv"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

// infoSchema holds the information_schema views; their sql_identifier,
// character_data, cardinal_number and yes_or_no domains are name, text,
// int4 and text here.
var infoSchema = registry(
	rel(InformationSchema, "schemata", 12101, true, cols("catalog_name", types.Name, "schema_name", types.Name,
		"schema_owner", types.Name, "default_character_set_catalog", types.Name, "default_character_set_schema", types.Name,
		"default_character_set_name", types.Name, "sql_path", types.Text)),
	rel(InformationSchema, "tables", 12102, true, cols("table_catalog", types.Name, "table_schema", types.Name,
		"table_name", types.Name, "table_type", types.Text, "self_referencing_column_name", types.Name,
		"reference_generation", types.Text, "user_defined_type_catalog", types.Name, "user_defined_type_schema", types.Name,
		"user_defined_type_name", types.Name, "is_insertable_into", types.Text, "is_typed", types.Text, "commit_action", types.Text)),
	rel(InformationSchema, "columns", 12103, true, cols("table_catalog", types.Name, "table_schema", types.Name,
		"table_name", types.Name, "column_name", types.Name, "ordinal_position", types.Int4, "column_default", types.Text,
		"is_nullable", types.Text, "data_type", types.Text, "character_maximum_length", types.Int4,
		"character_octet_length", types.Int4, "numeric_precision", types.Int4, "numeric_precision_radix", types.Int4,
		"numeric_scale", types.Int4, "datetime_precision", types.Int4, "interval_type", types.Text,
		"interval_precision", types.Int4, "character_set_catalog", types.Name, "character_set_schema", types.Name,
		"character_set_name", types.Name, "collation_catalog", types.Name, "collation_schema", types.Name,
		"collation_name", types.Name, "domain_catalog", types.Name, "domain_schema", types.Name, "domain_name", types.Name,
		"udt_catalog", types.Name, "udt_schema", types.Name, "udt_name", types.Name, "scope_catalog", types.Name,
		"scope_schema", types.Name, "scope_name", types.Name, "maximum_cardinality", types.Int4, "dtd_identifier", types.Name,
		"is_self_referencing", types.Text, "is_identity", types.Text, "identity_generation", types.Text,
		"identity_start", types.Text, "identity_increment", types.Text, "identity_maximum", types.Text,
		"identity_minimum", types.Text, "identity_cycle", types.Text, "is_generated", types.Text,
		"generation_expression", types.Text, "is_updatable", types.Text)),
	rel(InformationSchema, "table_constraints", 12104, true, cols("constraint_catalog", types.Name, "constraint_schema", types.Name,
		"constraint_name", types.Name, "table_catalog", types.Name, "table_schema", types.Name, "table_name", types.Name,
		"constraint_type", types.Text, "is_deferrable", types.Text, "initially_deferred", types.Text, "enforced", types.Text,
		"nulls_distinct", types.Text)),
	rel(InformationSchema, "key_column_usage", 12105, true, cols("constraint_catalog", types.Name, "constraint_schema", types.Name,
		"constraint_name", types.Name, "table_catalog", types.Name, "table_schema", types.Name, "table_name", types.Name,
		"column_name", types.Name, "ordinal_position", types.Int4, "position_in_unique_constraint", types.Int4)),
	rel(InformationSchema, "views", 12106, true, cols("table_catalog", types.Name, "table_schema", types.Name,
		"table_name", types.Name, "view_definition", types.Text, "check_option", types.Text, "is_updatable", types.Text,
		"is_insertable_into", types.Text, "is_trigger_updatable", types.Text, "is_trigger_deletable", types.Text,
		"is_trigger_insertable_into", types.Text)),
	rel(InformationSchema, "routines", 12107, true, cols("specific_catalog", types.Name, "specific_schema", types.Name,
		"specific_name", types.Name, "routine_catalog", types.Name, "routine_schema", types.Name, "routine_name", types.Name,
		"routine_type", types.Text, "data_type", types.Text, "type_udt_catalog", types.Name, "type_udt_schema", types.Name,
		"type_udt_name", types.Name, "routine_body", types.Text, "routine_definition", types.Text, "external_language", types.Text,
		"is_deterministic", types.Text, "security_type", types.Text)),
)

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func (v *View) infoRows(name string) [][]any {
	db := v.Database
	var rows [][]any
	switch name {
	case "schemata":
		for _, s := range []string{PGCatalog, InformationSchema} {
			rows = append(rows, []any{db, s, "root", nil, nil, nil, nil})
		}
		for _, s := range v.Catalog.Schemas() {
			rows = append(rows, []any{db, s.Name, "root", nil, nil, nil, nil})
		}
	case "tables":
		for _, t := range v.tables() {
			rows = append(rows, []any{db, t.Schema, t.Name, "BASE TABLE", nil, nil, nil, nil, nil, "YES", "NO", nil})
		}
		for _, vw := range v.views() {
			rows = append(rows, []any{db, vw.Schema, vw.Name, "VIEW", nil, nil, nil, nil, nil, "NO", "NO", nil})
		}
		for _, schema := range []string{PGCatalog, InformationSchema} {
			for _, r := range relations(schema) {
				kind := "BASE TABLE"
				if r.View {
					kind = "VIEW"
				}
				rows = append(rows, []any{db, schema, r.Name, kind, nil, nil, nil, nil, nil, "NO", "NO", nil})
			}
		}
	case "columns":
		for _, t := range v.tables() {
			for i, c := range t.Columns {
				rows = append(rows, v.columnInfo(t, i, c))
			}
		}
	case "table_constraints":
		for _, t := range v.tables() {
			for _, ix := range indexes(t) {
				switch {
				case ix.primary:
					rows = append(rows, []any{db, t.Schema, ix.name, db, t.Schema, t.Name, "PRIMARY KEY", "NO", "NO", "YES", nil})
				case ix.constraint:
					rows = append(rows, []any{db, t.Schema, ix.name, db, t.Schema, t.Name, "UNIQUE", "NO", "NO", "YES", "YES"})
				}
			}
		}
	case "key_column_usage":
		for _, t := range v.tables() {
			for _, ix := range indexes(t) {
				if !ix.primary && !ix.constraint {
					continue
				}
				for i, a := range ix.attnums {
					rows = append(rows, []any{db, t.Schema, ix.name, db, t.Schema, t.Name, t.Columns[a-1].Name, int64(i + 1), nil})
				}
			}
		}
	case "views":
		for _, vw := range v.views() {
			rows = append(rows, []any{db, vw.Schema, vw.Name, vw.Query, "NONE", "NO", "NO", "NO", "NO", "NO"})
		}
	case "routines":
		for i, p := range procs {
			spec := p.name + "_" + strconv.Itoa(firstProcOID+i)
			rows = append(rows, []any{db, PGCatalog, spec, db, PGCatalog, p.name, "FUNCTION",
				v.FormatType(uint32(p.ret), -1), db, PGCatalog, typeName(uint32(p.ret)), "EXTERNAL", nil, "INTERNAL", "NO", "INVOKER"})
		}
	}
	return rows
}

func typeName(o uint32) string {
	t, _ := findType(o)
	return t.name
}

// columnInfo is one information_schema.columns row.
func (v *View) columnInfo(t *catalog.Table, i int, c catalog.Column) []any {
	db := v.Database
	o := uint32(c.Type.OID)
	dataType := v.FormatType(o, -1)
	if bt, _ := findType(o); bt.arrayOf {
		dataType = "ARRAY"
	}
	var charMax, octet, prec, radix, scale, dtPrec any
	switch c.Type.OID {
	case types.Varchar, types.Bpchar:
		if c.Type.Mod >= 4 {
			charMax = int64(c.Type.Mod - 4)
			octet = int64(4 * (c.Type.Mod - 4))
		} else {
			octet = int64(1 << 30)
		}
	case types.Text:
		octet = int64(1 << 30)
	case types.Int2:
		prec, radix, scale = int64(16), int64(2), int64(0)
	case types.Int4:
		prec, radix, scale = int64(32), int64(2), int64(0)
	case types.Int8:
		prec, radix, scale = int64(64), int64(2), int64(0)
	case types.Float4:
		prec, radix = int64(24), int64(2)
	case types.Float8:
		prec, radix = int64(53), int64(2)
	case types.Numeric:
		radix = int64(10)
		if c.Type.Mod >= 4 {
			m := c.Type.Mod - 4
			prec, scale = int64(m>>16&0xffff), int64(int16(m&0xffff))
		}
	case types.Date:
		dtPrec = int64(0)
	case types.Timestamp, types.Timestamptz, types.Time, types.IntervalOID:
		dtPrec = int64(6)
		if c.Type.Mod >= 0 {
			dtPrec = int64(c.Type.Mod)
		}
	}
	nullable := !c.NotNull && !isPKey(t, i)
	isIdentity, generation, start, incr, maxVal, minVal := "NO", any(nil), any(nil), any(nil), any(nil), any(nil)
	if c.Identity != "" {
		isIdentity, start, incr, minVal = "YES", "1", "1", "1"
		generation = "BY DEFAULT"
		if c.Identity == catalog.IdentityAlways {
			generation = "ALWAYS"
		}
		maxVal = map[types.OID]string{types.Int2: "32767", types.Int4: "2147483647"}[c.Type.OID]
		if maxVal == "" {
			maxVal = "9223372036854775807"
		}
	}
	return []any{db, t.Schema, t.Name, c.Name, int64(i + 1), nullText(c.Default), yesNo(nullable), dataType,
		charMax, octet, prec, radix, scale, dtPrec, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		db, PGCatalog, typeName(o), nil, nil, nil, nil, strconv.Itoa(i + 1), "NO", isIdentity, generation, start, incr, maxVal, minVal, "NO",
		"NEVER", nil, "YES"}
}
