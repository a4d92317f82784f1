package sql

import "testing"

// The catalog relations answer the queries psql and drivers send.
func TestCatalogRelations(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE SCHEMA chat"},
		{sql: "CREATE TABLE chat.rooms (id bigint PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', tags text[])"},
		{sql: "CREATE INDEX rooms_name ON chat.rooms (name)"},
		{sql: "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'chat'::regnamespace ORDER BY 1",
			want: "SELECT 3: rooms,r; rooms_name,i; rooms_pkey,i"},
		{sql: "SELECT c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
			"WHERE c.relname OPERATOR(pg_catalog.~) '^(rooms)$' COLLATE pg_catalog.default AND n.nspname = 'chat'",
			want: "SELECT 1: rooms"},
		{sql: "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a " +
			"WHERE a.attrelid = 'chat.rooms'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
			want: "SELECT 3: id,bigint,t; name,character varying(20),t; tags,text[],f"},
		{sql: "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = 'chat.rooms'::regclass AND NOT i.indisprimary",
			want: "SELECT 1: CREATE INDEX rooms_name ON chat.rooms USING btree (name)"},
		{sql: "SELECT pg_get_constraintdef(oid), contype FROM pg_constraint WHERE conrelid = 'chat.rooms'::regclass",
			want: "SELECT 1: PRIMARY KEY (id),p"},
		{sql: "SELECT 'chat.rooms'::regclass::text, 'pg_class'::regclass::oid, 'int4'::regtype::text, 11::regnamespace::text",
			want: "SELECT 1: chat.rooms,1259,integer,pg_catalog"},
		{sql: "SELECT 'nosuch'::regclass", code: "42P01"},
		{sql: "SELECT count(*) FROM pg_tables WHERE schemaname = 'chat'", want: "SELECT 1: 1"},
		{sql: "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'chat' ORDER BY ordinal_position",
			want: "SELECT 3: rooms,id,bigint,NO; rooms,name,character varying,NO; rooms,tags,ARRAY,YES"},
		{sql: "SELECT constraint_type FROM information_schema.table_constraints WHERE table_name = 'rooms'", want: "SELECT 1: PRIMARY KEY"},
		{sql: "SELECT pg_table_is_visible('chat.rooms'::regclass)", want: "SELECT 1: f"},
		{sql: "SET search_path = public, chat"},
		{sql: "SELECT pg_table_is_visible('rooms'::regclass), current_schemas(true)", want: "SELECT 1: t,{pg_catalog,public,chat}"},
		{sql: "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user", want: "SELECT 1: root,t"},
		{sql: "SELECT usename, state FROM pg_stat_activity WHERE pid = pg_backend_pid()", want: "SELECT 1: root,active"},
		{sql: "SELECT set_config('application_name', 'probe', false)", want: "SELECT 1: probe"},
		{sql: "SELECT setting FROM pg_settings WHERE name = 'application_name'", want: "SELECT 1: probe"},
		{sql: "SELECT pg_catalog.array_to_string(array['a', NULL, 'b'], ',', '*'), quote_ident('Ab'), pg_encoding_to_char(6)",
			want: "SELECT 1: a,*,b,\"Ab\",UTF8"},
		{sql: "SELECT has_table_privilege('rooms', 'SELECT'), pg_is_in_recovery(), 1::oid = 1", want: "SELECT 1: t,f,t"},
		{sql: "CREATE VIEW chat.titles AS SELECT name FROM chat.rooms"},
		{sql: "SELECT c.relkind, pg_get_viewdef(c.oid) IS NOT NULL FROM pg_class c WHERE c.oid = 'chat.titles'::regclass", want: "SELECT 1: v,t"},
		{sql: "SELECT viewname FROM pg_views WHERE schemaname = 'chat'", want: "SELECT 1: titles"},
		{sql: "SELECT table_type FROM information_schema.tables WHERE table_name = 'titles'", want: "SELECT 1: VIEW"},
		{sql: "SELECT count(*) FROM pg_catalog.nosuch", code: "42P01"},
		{sql: "INSERT INTO pg_class (relname) VALUES ('x')", code: "42P01"},
	})
}

// A table named like a catalog relation is reached only when qualified:
// pg_catalog comes first on every search path.
func TestCatalogShadowsUnqualified(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE pg_am (x int)"},
		{sql: "INSERT INTO public.pg_am VALUES (1)"},
		{sql: "SELECT count(*) FROM public.pg_am", want: "SELECT 1: 1"},
		{sql: "SELECT amname FROM pg_am WHERE amname = 'btree'", want: "SELECT 1: btree"},
	})
}
