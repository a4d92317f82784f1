package expr

import (
	"testing"

	"github.com/kalamdb/kalamdb/types"
)

// TestFormatTimeJSONFuncs covers format, regexp_replace, to_char, age,
// make_interval, AT TIME ZONE, jsonb_set and array_length/cardinality
// (values checked against PostgreSQL 15).
func TestFormatTimeJSONFuncs(t *testing.T) {
	tests := []struct {
		src  string
		want string
		typ  types.OID
	}{
		{"format('%s-%s', 1, NULL)", "1-", types.Text},
		{"format('%I.%I', 'public', 'My Table')", `public."My Table"`, types.Text},
		{"format('%I', 'select')", `"select"`, types.Text},
		{"format('%L %L', 'it''s', NULL)", "'it''s' NULL", types.Text},
		{`format('%L', 'a\b')`, `E'a\\b'`, types.Text},
		{"format('%2$s %1$s|%-3s|', 'a', 'b')", "b a|b  |", types.Text},
		{"regexp_replace('foobarbaz', 'ba.', 'X')", "fooXbaz", types.Text},
		{"regexp_replace('FooFOO', 'foo', 'x', 'gi')", "xx", types.Text},
		{`regexp_replace('hello world', '(\w+) (\w+)', '\2 \1')`, "world hello", types.Text},
		{"to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.MS US')", "2024-03-05 14:07:09.123 123456", types.Text},
		{"to_char(timestamp '2024-03-05 00:07:09', 'FMMonth FMDD, Dy HH12 AM')", "March 5, Tue 12 AM", types.Text},
		{"to_char(timestamp '2024-03-05 13:00:00', 'Month|Day|\"T\"HH:MI pm')", "March    |Tuesday  |T01:00 pm", types.Text},
		{"age(timestamp '2024-03-15', timestamp '2023-01-10')", "1 year 2 mons 5 days", types.IntervalOID},
		{"age(timestamp '2024-01-31', timestamp '2024-02-29')", "-29 days", types.IntervalOID},
		{"age(timestamp '2024-03-15 10:00', timestamp '2024-03-14 12:30')", "21:30:00", types.IntervalOID},
		{"make_interval(1, 2, 3, 4, 5, 6, 7.5)", "1 year 2 mons 25 days 05:06:07.5", types.IntervalOID},
		{"make_interval(hours => 5, mins => 30)", "05:30:00", types.IntervalOID},
		{"timestamptz '2024-03-15 12:00:00+00' AT TIME ZONE 'America/New_York'", "2024-03-15 08:00:00", types.Timestamp},
		{"timestamp '2024-03-15 12:00:00' AT TIME ZONE 'Asia/Tokyo'", "2024-03-15 03:00:00+00", types.Timestamptz},
		{"date_trunc('hour', interval '2 days 3 hours 4 minutes')", "2 days 03:00:00", types.IntervalOID},
		{"date_trunc('millisecond', timestamp '2024-03-15 13:45:12.98765')", "2024-03-15 13:45:12.987", types.Timestamp},
		{`jsonb_set('{"a": {"b": 1}}', '{a,c}', '"new"')`, `{"a": {"b": 1, "c": "new"}}`, types.JSONB},
		{`jsonb_set('[1, 2]', '{-1}', '9')`, `[1, 9]`, types.JSONB},
		{`jsonb_set('{"a": 1}', '{z}', '5', false)`, `{"a": 1}`, types.JSONB},
		{`jsonb_set('[1, 2]', '{5}', '3')`, `[1, 2, 3]`, types.JSONB},
		{"array_length(ARRAY[1, 2, 3], 1)", "3", types.Int4},
		{"array_length(ARRAY[1, 2, 3], 2)", "NULL", types.Int4},
		{"cardinality(ARRAY['a', 'b'])", "2", types.Int4},
	}
	for _, tc := range tests {
		got, typ, err := evalSrc(t, tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got != tc.want || typ.OID != tc.typ {
			t.Fatalf("%s = %q (%d), want %q (%d)", tc.src, got, typ.OID, tc.want, tc.typ)
		}
	}
}

func TestFormatTimeJSONErrors(t *testing.T) {
	tests := []struct{ src, code string }{
		{"format('%s %s', 'one')", "22023"},
		{"format('%x', 1)", "22023"},
		{"format('%I', NULL)", "22004"},
		{"regexp_replace('a', '(', 'b')", "2201B"},
		{"regexp_replace('a', 'a', 'b', 'z')", "22023"},
		{"timestamptz '2024-01-01' AT TIME ZONE 'Mars/Base'", "22023"},
		{`jsonb_set('1', '{a}', '2')`, "22023"},
		{`jsonb_set('[1]', '{x}', '2')`, "22P02"},
		{"date_trunc('week', interval '1 day')", "0A000"},
	}
	for _, tc := range tests {
		_, _, err := evalSrc(t, tc.src)
		checkCode(t, tc.src, err, tc.code, "")
	}
}
