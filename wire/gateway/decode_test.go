package gateway

import (
	"encoding/json"
	"testing"
	"time"

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
