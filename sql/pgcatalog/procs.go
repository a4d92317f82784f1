package pgcatalog

import (
	"strings"

	"github.com/kalamdb/kalamdb/types"
)

// proc is a built-in function as pg_proc lists it.
type proc struct {
	name string
	ret  types.OID
	args []types.OID
	kind byte // f function, a aggregate, w window
	set  bool // returns a set
}

// procs are the functions KalamDB implements (package expr and the
// planner), one overload each; OIDs count from 13100 in this order.
var procs = func() []proc {
	var out []proc
	add := func(kind byte, ret types.OID, spec string, args ...types.OID) {
		for _, n := range strings.Fields(spec) {
			out = append(out, proc{name: n, ret: ret, args: args, kind: kind})
		}
	}
	t, i4, i8, b, f8, ts, js := types.Text, types.Int4, types.Int8, types.Bool, types.Float8, types.Timestamptz, types.JSONB
	add('f', t, "lower upper btrim ltrim rtrim initcap md5 reverse quote_ident quote_literal", t)
	add('f', t, "concat concat_ws format replace substr substring left right lpad rpad repeat split_part", t, t)
	add('f', i4, "length char_length octet_length ascii strpos position", t)
	add('f', b, "starts_with", t, t)
	add('f', t, "to_char", ts, t)
	add('f', f8, "abs ceil floor round trunc sqrt exp ln log power mod sign random", f8)
	add('f', ts, "now transaction_timestamp statement_timestamp clock_timestamp")
	add('f', ts, "date_trunc", t, ts)
	add('f', f8, "date_part extract", t, ts)
	add('f', ts, "to_timestamp", f8)
	add('f', t, "version current_database current_schema current_user session_user pg_get_userbyid format_type")
	add('f', t, "current_setting set_config", t)
	add('f', types.UUIDOID, "gen_random_uuid")
	add('f', i8, "kalamdb_id kalamdb_flush_all")
	add('f', i8, "kalamdb_flush kalamdb_erase_user", t)
	add('f', t, "kalamdb_export_user", t)
	add('f', types.Void, "pg_notify", t, t)
	add('f', f8, "pg_notification_queue_usage")
	add('f', i4, "pg_backend_pid")
	add('f', types.Void, "pg_sleep", f8)
	add('f', b, "pg_cancel_backend pg_terminate_backend", i4)
	add('f', b, "pg_is_in_recovery")
	add('f', ts, "pg_postmaster_start_time")
	add('f', b, "pg_table_is_visible pg_type_is_visible pg_function_is_visible", types.OIDType)
	add('f', b, "has_table_privilege has_schema_privilege has_database_privilege", t, t)
	add('f', t, "pg_get_expr pg_get_indexdef pg_get_constraintdef pg_get_viewdef obj_description col_description shobj_description pg_encoding_to_char", types.OIDType)
	add('f', t, "array_to_string", types.TextArray, t)
	add('f', js, "to_jsonb jsonb_build_object jsonb_build_array jsonb_set jsonb_strip_nulls", js)
	add('f', t, "jsonb_typeof jsonb_pretty", js)
	add('f', i4, "jsonb_array_length array_length array_upper array_lower cardinality", js)
	add('a', i8, "count", types.Record)
	add('a', f8, "sum avg min max stddev variance", f8)
	add('a', t, "string_agg", t, t)
	add('a', types.TextArray, "array_agg", t)
	add('a', js, "jsonb_agg jsonb_object_agg", js)
	add('a', b, "bool_and bool_or every", b)
	add('w', i8, "row_number rank dense_rank ntile")
	add('w', f8, "percent_rank cume_dist")
	add('w', t, "lag lead first_value last_value nth_value", t)
	n := len(out)
	add('f', i8, "generate_series", i8, i8)
	add('f', t, "unnest", types.TextArray)
	add('f', js, "jsonb_array_elements jsonb_each", js)
	add('f', t, "jsonb_array_elements_text jsonb_each_text jsonb_object_keys", js)
	for i := n; i < len(out); i++ {
		out[i].set = true
	}
	return out
}()

const firstProcOID = 13100

var pgProcColumns = cols(
	"oid", types.OIDType, "proname", types.Name, "pronamespace", types.OIDType, "proowner", types.OIDType,
	"prolang", types.OIDType, "procost", types.Float4, "prorows", types.Float4, "provariadic", types.OIDType,
	"prosupport", types.Name, "prokind", types.Char, "prosecdef", types.Bool, "proleakproof", types.Bool,
	"proisstrict", types.Bool, "proretset", types.Bool, "provolatile", types.Char, "proparallel", types.Char,
	"pronargs", types.Int2, "pronargdefaults", types.Int2, "prorettype", types.OIDType, "proargtypes", types.OIDArray,
	"proallargtypes", types.OIDArray, "proargmodes", types.CharArray, "proargnames", types.TextArray,
	"proargdefaults", types.Text, "protrftypes", types.OIDArray, "prosrc", types.Text, "probin", types.Text,
	"prosqlbody", types.Text, "proconfig", types.TextArray, "proacl", types.TextArray,
)

func procRows() [][]any {
	rows := make([][]any, 0, len(procs))
	for i, p := range procs {
		args := make([]any, len(p.args))
		for j, a := range p.args {
			args[j] = oid(uint32(a))
		}
		rows = append(rows, []any{
			oid(uint32(firstProcOID + i)), p.name, oid(oidPGCatalog), oid(oidBootstrap), oid(oidLangInternal),
			float64(1), float64(0), oid(0), "-", string(p.kind), false, false, true, p.set, "v", "s",
			int64(len(p.args)), int64(0), oid(uint32(p.ret)), args, nil, nil, nil, nil, nil, p.name, nil, nil, nil, nil,
		})
	}
	return rows
}

// procByOID finds the built-in function with OID o.
func procByOID(o uint32) (proc, bool) {
	i := int(o) - firstProcOID
	if i < 0 || i >= len(procs) {
		return proc{}, false
	}
	return procs[i], true
}

// procOIDByName is regproc input: the first function named name.
func procOIDByName(name string) (uint32, bool) {
	name = strings.TrimPrefix(name, "pg_catalog.")
	for i, p := range procs {
		if p.name == name {
			return uint32(firstProcOID + i), true
		}
	}
	return 0, false
}
