package gateway

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/types"
)

func TestDecodeParam(t *testing.T) {
	tests := []struct {
		oid     types.OID
		raw     string
		want    string // text form of the value, or "ERR"
		wantNil bool
	}{
		{types.Int8, `42`, "42", false},
		{types.Int4, `"7"`, "7", false},
		{types.Int4, `4.5`, "ERR", false},
		{types.Text, `"hi"`, "hi", false},
		{types.Text, `null`, "", true},
		{types.Bool, `true`, "t", false},
		{types.Float8, `2.5`, "2.5", false},
		{types.Numeric, `1.10`, "1.10", false},
		{types.JSONB, `{"a": 1}`, `{"a": 1}`, false},
		{types.JSON, `"s"`, `"s"`, false},
		{types.Bytea, `"AQI="`, `\x0102`, false},
		{types.Bytea, `"!!"`, "ERR", false},
		{types.Timestamptz, `"2024-05-06T07:08:09Z"`, "2024-05-06 07:08:09+00", false},
		{types.TextArray, `["a", null, "c"]`, "{a,NULL,c}", false},
		{types.Int8Array, `[1, 2]`, "{1,2}", false},
		{0, `"untyped"`, "untyped", false},
		{types.Int8, `{`, "ERR", false},
	}
	for _, tt := range tests {
		v, err := decodeParam(tt.oid, json.RawMessage(tt.raw))
		if tt.want == "ERR" {
			if err == nil {
				t.Fatalf("decodeParam(%d, %s) = %v, want an error", tt.oid, tt.raw, v)
			}
			continue
		}
		if err != nil {
			t.Fatalf("decodeParam(%d, %s): %v", tt.oid, tt.raw, err)
		}
		if tt.wantNil {
			if v != nil {
				t.Fatalf("decodeParam(%s) = %v, want nil", tt.raw, v)
			}
			continue
		}
		oid := tt.oid
		if oid == 0 {
			oid = types.Text
		}
		if got := string(types.AppendText(nil, oid, v, time.UTC)); got != tt.want {
			t.Fatalf("decodeParam(%d, %s) = %q, want %q", tt.oid, tt.raw, got, tt.want)
		}
	}
	if _, err := decodeParams([]types.OID{types.Int8}, nil); err == nil {
		t.Fatalf("decodeParams with a missing parameter succeeded")
	}
}

// TestValueFromJSONRoundTrip: every value notify.AppendValueJSON writes
// reads back equal, so live-query filters see what the row holds.
func TestValueFromJSONRoundTrip(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	dec, _, _ := apd.NewFromString("12.340")
	tests := []struct {
		oid types.OID
		v   any
	}{
		{types.Int8, int64(-9007199254740993)},
		{types.Int4, int64(7)},
		{types.Bool, true},
		{types.Float8, 2.5},
		{types.Numeric, dec},
		{types.Text, "tab\t\"quote\" ünï"},
		{types.Varchar, "v"},
		{types.Bytea, []byte{0, 1, 255}},
		{types.JSONB, `{"a": [1, 2]}`},
		{types.Timestamptz, ts},
		{types.Timestamp, ts},
		{types.Date, time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)},
		{types.TextArray, []any{"a", nil, "c"}},
		{types.Int8Array, []any{int64(1), int64(2)}},
		{types.Text, nil},
	}
	for _, tt := range tests {
		typ := types.Of(tt.oid)
		raw := notify.AppendValueJSON(nil, typ, tt.v)
		got, err := valueFromJSON(typ, raw)
		if err != nil {
			t.Fatalf("valueFromJSON(%s, %s): %v", types.NameOf(typ), raw, err)
		}
		if tt.v == nil {
			if got != nil {
				t.Fatalf("null read back as %v", got)
			}
			continue
		}
		gotText := string(types.AppendText(nil, tt.oid, got, time.UTC))
		wantText := string(types.AppendText(nil, tt.oid, tt.v, time.UTC))
		if gotText != wantText {
			t.Fatalf("%s: %s read back as %q, want %q", types.NameOf(typ), raw, gotText, wantText)
		}
	}
}

func TestParseSeq(t *testing.T) {
	tests := []struct {
		raw    string
		want   int64
		ok     bool
		hasErr bool
	}{
		{``, 0, false, false}, {`null`, 0, false, false}, {`123`, 123, true, false},
		{`"7383748327483748374"`, 7383748327483748374, true, false}, {`1.5`, 0, false, true}, {`"x"`, 0, false, true},
	}
	for _, tt := range tests {
		got, ok, err := parseSeq(json.RawMessage(tt.raw))
		if got != tt.want || ok != tt.ok || (err != nil) != tt.hasErr {
			t.Fatalf("parseSeq(%s) = %d, %v, %v", tt.raw, got, ok, err)
		}
	}
}

func TestPayloadTable(t *testing.T) {
	tests := map[string]string{
		`{"table":"public.messages","op":"insert"}`: "public.messages",
		`{"table":"public.we\"ird","op":"insert"}`:  `public.we"ird`,
		`hello`: "",
	}
	for p, want := range tests {
		if got, _ := payloadTable(p); got != want {
			t.Fatalf("payloadTable(%s) = %q, want %q", p, got, want)
		}
	}
}

func FuzzDecodeParam(f *testing.F) {
	for _, s := range []string{`1`, `"x"`, `null`, `[1,"2",null]`, `{"a":1}`, `"AQI="`, `true`, `1e400`, `"2024-01-01T00:00:00Z"`} {
		f.Add(uint32(types.Int8), s)
		f.Add(uint32(types.TextArray), s)
		f.Add(uint32(types.Bytea), s)
	}
	oids := []types.OID{0, types.Int2, types.Int4, types.Int8, types.Text, types.Bool, types.Float8, types.Numeric,
		types.JSON, types.JSONB, types.Bytea, types.Timestamptz, types.Timestamp, types.Date, types.UUIDOID,
		types.IntervalOID, types.TextArray, types.Int8Array}
	f.Fuzz(func(t *testing.T, oid uint32, raw string) {
		_, _ = decodeParam(oids[oid%uint32(len(oids))], json.RawMessage(raw))
	})
}

func FuzzValueFromJSON(f *testing.F) {
	for _, s := range []string{`1`, `"x"`, `null`, `[1,"2",null]`, `{"a":1}`, `"AQI="`, `true`, `"NaN"`, `"2024-01-01T00:00:00.5Z"`, `[[1]]`} {
		f.Add(uint32(2), s)
	}
	oids := []types.OID{types.Int2, types.Int4, types.Int8, types.Text, types.Bool, types.Float8, types.Numeric,
		types.JSON, types.JSONB, types.Bytea, types.Timestamptz, types.Timestamp, types.Date, types.UUIDOID,
		types.IntervalOID, types.TextArray, types.Int8Array}
	f.Fuzz(func(t *testing.T, oid uint32, raw string) {
		typ := types.Of(oids[oid%uint32(len(oids))])
		v, err := valueFromJSON(typ, []byte(raw))
		if err != nil || v == nil {
			return
		}
		// What reads back writes out and reads back the same.
		again := notify.AppendValueJSON(nil, typ, v)
		v2, err := valueFromJSON(typ, again)
		if err != nil {
			t.Fatalf("%s: %s -> %s does not read back: %v", types.NameOf(typ), raw, again, err)
		}
		if a, b := notify.AppendValueJSON(nil, typ, v2), again; string(a) != string(b) {
			t.Fatalf("%s: %s -> %s -> %s", types.NameOf(typ), raw, b, a)
		}
	})
}
