package notify

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/types"
)

func TestAppendValueJSON(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	for _, tc := range []struct {
		oid  types.OID
		v    any
		want string
	}{
		{types.Int8, nil, `null`},
		{types.Bool, true, `true`},
		{types.Int4, int64(-7), `-7`},
		{types.Float8, 1.5, `1.5`},
		{types.Float8, math.NaN(), `"NaN"`},
		{types.Float8, math.Inf(-1), `"-Infinity"`},
		{types.Numeric, apd.New(150, -2), `1.50`},
		{types.Text, "a\"b\\c\n\x01é", `"a\"b\\c\n\u0001é"`},
		{types.Text, "bad\xffutf8", `"bad\ufffdutf8"`},
		{types.JSONB, `{"a": [1, 2]}`, `{"a": [1, 2]}`},
		{types.JSON, `not json`, `"not json"`},
		{types.Bytea, []byte{1, 2, 0xff}, `"AQL/"`},
		{types.Timestamptz, ts, `"2024-01-02T03:04:05.123456Z"`},
		{types.Timestamp, ts, `"2024-01-02T03:04:05.123456"`},
		{types.Date, ts, `"2024-01-02"`},
		{types.UUIDOID, types.UUID{0: 0xab, 15: 1}, `"ab000000-0000-0000-0000-000000000001"`},
		{types.IntervalOID, types.Interval{Days: 1, Micros: 3600e6}, `"1 day 01:00:00"`},
		{types.TextArray, []any{"a", nil}, `["a",null]`},
		{types.Int8Array, []any{int64(1), int64(2)}, `[1,2]`},
	} {
		got := string(AppendValueJSON(nil, types.Of(tc.oid), tc.v))
		if got != tc.want {
			t.Fatalf("AppendValueJSON(%d, %#v) = %s, want %s", tc.oid, tc.v, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Fatalf("%s is not valid JSON", got)
		}
	}
}

func messages() *Table {
	return &Table{Name: "public.messages", ID: 9, Key: []int{0}, Columns: []Column{
		{Name: "msg_id", Type: types.Of(types.Int8)},
		{Name: "content", Type: types.Of(types.Text)},
	}}
}

func TestChangePayload(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Change
		want string
	}{
		{"insert", &Change{Table: messages(), Op: OpInsert, Seq: 123, Row: []any{int64(1), "hi"}},
			`{"table":"public.messages","op":"insert","seq":123,"row":{"msg_id":1,"content":"hi"}}`},
		{"update moving the key", &Change{Table: messages(), Op: OpUpdate, Seq: 124, Row: []any{int64(2), "hi"}, OldKey: []any{int64(1)}},
			`{"table":"public.messages","op":"update","seq":124,"row":{"msg_id":2,"content":"hi"},"old_key":{"msg_id":1}}`},
		{"replayed delete", &Change{Table: messages(), Op: OpDelete, Seq: 125, Row: []any{int64(2), nil}},
			`{"table":"public.messages","op":"delete","seq":125,"row":{"msg_id":2,"content":null}}`},
		{"truncated", &Change{Table: messages(), Op: OpInsert, Seq: 126, Row: []any{int64(3), strings.Repeat("x", 8000)}},
			`{"table":"public.messages","op":"insert","seq":126,"row":{"msg_id":3},"truncated":true}`},
		{"truncated without a key", &Change{Table: &Table{Name: "s.t", Columns: messages().Columns}, Op: OpInsert, Seq: 127, Row: []any{int64(3), strings.Repeat("x", 8000)}},
			`{"table":"s.t","op":"insert","seq":127,"row":{"_seq":127},"truncated":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Payload(); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// Just under the limit is kept whole.
	c := &Change{Table: messages(), Op: OpInsert, Seq: 1, Row: []any{int64(1), ""}}
	room := MaxPayload - len(c.AppendJSON(nil, 0))
	c = &Change{Table: messages(), Op: OpInsert, Seq: 1, Row: []any{int64(1), strings.Repeat("y", room)}}
	if p := c.Payload(); len(p) != MaxPayload || strings.Contains(p, "truncated") {
		t.Fatalf("payload of %d bytes at the limit was truncated or resized", len(p))
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f", "\xff\xfe", "é漢字", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, b, err)
		}
		// encoding/json replaces each invalid byte with U+FFFD, as we do.
		exp, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(exp, &want)
		if back != want {
			t.Fatalf("round trip of %q gave %q, want %q", s, back, want)
		}
	})
}
