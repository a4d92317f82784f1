package expr

import (
	"slices"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

func TestParamInference(t *testing.T) {
	tests := []struct {
		src    string
		preset []types.OID
		want   []types.OID
	}{
		{"$1", nil, []types.OID{types.Text}},
		{"b = $1", nil, []types.OID{types.Int8}},
		{"$1 = i", nil, []types.OID{types.Int4}},
		{"$1::int8", nil, []types.OID{types.Int8}},
		{"$1 + 1", nil, []types.OID{types.Int4}},
		{"$2 > ts", nil, []types.OID{types.Text, types.Timestamptz}},
		{"t LIKE $1", nil, []types.OID{types.Text}},
		{"i IN ($1, $2)", nil, []types.OID{types.Int4, types.Int4}},
		{"i BETWEEN $1 AND $2", nil, []types.OID{types.Int4, types.Int4}},
		{"b = ANY($1)", nil, []types.OID{types.Int8Array}},
		{"lower($1)", nil, []types.OID{types.Text}},
		{"COALESCE($1, n)", nil, []types.OID{types.Numeric}},
		{"ts > now() - $1::interval", nil, []types.OID{types.IntervalOID}},
		{"substr(t, $1)", nil, []types.OID{types.Int4}},
		{"j ->> $1", nil, []types.OID{types.Text}},
		{"b = $1", []types.OID{types.Int4}, []types.OID{types.Int4}},
		{"$1 = $1", nil, []types.OID{types.Text}},
	}
	for _, tc := range tests {
		p := &Params{Types: slices.Clone(tc.preset)}
		if _, err := compileSrc(t, tc.src, p); err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		p.Finish()
		if !slices.Equal(p.Types, tc.want) {
			t.Fatalf("%s: params %v, want %v", tc.src, p.Types, tc.want)
		}
	}
}

func TestParamEval(t *testing.T) {
	p := &Params{}
	e, err := compileSrc(t, "b = $1 AND t = $2", p)
	if err != nil {
		t.Fatal(err)
	}
	p.Finish()
	env := testEnv()
	env.Params = []any{int64(10000000000), "hello"}
	if v, err := e.Eval(env, testRow()); err != nil || v != true {
		t.Fatalf("got %v, %v", v, err)
	}
	env.Params = []any{nil, "hello"}
	if v, err := e.Eval(env, testRow()); err != nil || v != nil {
		t.Fatalf("NULL param: got %v, %v", v, err)
	}
	// A client-declared text parameter against an integer column fails as
	// in PostgreSQL.
	_, err = compileSrc(t, "i = $1", &Params{Types: []types.OID{types.Text}})
	checkCode(t, "i = $1", err, pgerr.UndefinedFunction, "operator does not exist: integer = text")
}

func TestCompileAs(t *testing.T) {
	tests := []struct {
		src  string
		want types.Type
		out  string
	}{
		{"'42'", types.Of(types.Int8), "42"},
		{"42", types.Of(types.Int8), "42"},
		{"42", types.Of(types.Numeric), "42"},
		{"2.7", types.Of(types.Int4), "3"},
		{"i", types.Of(types.Text), "7"},
		{"'abc'", types.Type{OID: types.Varchar, Mod: 7}, "abc"},
		{"'ab   '", types.Type{OID: types.Varchar, Mod: 6}, "ab"},
		{"NULL", types.Of(types.Int4), "NULL"},
		{"now()", types.Of(types.Timestamp), "2024-06-01 12:00:00"},
		{"'{\"a\":1}'", types.Of(types.JSONB), `{"a": 1}`},
	}
	for _, tc := range tests {
		n, _ := parseExpr(tc.src)
		e, err := CompileAs(n, testScope{}, &Params{}, tc.want)
		if err != nil {
			t.Fatalf("%s as %v: %v", tc.src, tc.want, err)
		}
		v, err := e.Eval(testEnv(), testRow())
		if err != nil {
			t.Fatalf("%s as %v: eval: %v", tc.src, tc.want, err)
		}
		if got := show(v, tc.want.OID); got != tc.out {
			t.Fatalf("%s as %v = %q, want %q", tc.src, tc.want, got, tc.out)
		}
	}
	p := &Params{}
	n, _ := parseExpr("$1")
	if _, err := CompileAs(n, testScope{}, p, types.Of(types.UUIDOID)); err != nil || p.Types[0] != types.UUIDOID {
		t.Fatalf("$1 as uuid: %v, %v", p.Types, err)
	}
	n, _ = parseExpr("t")
	_, err := CompileAssign(n, testScope{}, &Params{}, types.Of(types.Int4), "age")
	checkCode(t, "t as int", err, pgerr.DatatypeMismatch, `column "age" is of type integer but expression is of type text`)
	n, _ = parseExpr("'abcdef'")
	e, err := CompileAs(n, testScope{}, &Params{}, types.Type{OID: types.Varchar, Mod: 7})
	if err == nil {
		_, err = e.Eval(testEnv(), nil)
	}
	checkCode(t, "varchar(3)", err, pgerr.StringDataRightTruncation, "value too long for type character varying(3)")
	n, _ = parseExpr("t")
	e, err = CompileAs(n, testScope{}, &Params{}, types.Type{OID: types.Varchar, Mod: 6})
	if err == nil {
		_, err = e.Eval(testEnv(), testRow())
	}
	checkCode(t, "t as varchar(2)", err, pgerr.StringDataRightTruncation, "value too long")
}

func TestConstAndIsAggregate(t *testing.T) {
	e := Const(int64(5), types.Of(types.Int8))
	if v, _ := e.Eval(nil, nil); v != int64(5) || e.Type().OID != types.Int8 {
		t.Fatalf("Const: %v %v", v, e.Type())
	}
	if !IsAggregate("count") || !IsAggregate("jsonb_agg") || IsAggregate("lower") {
		t.Fatal("IsAggregate")
	}
}

// TestParamLimit: statements may have more than 65535 parameters, as in
// PostgreSQL (only Bind cannot supply them), but $n stays bounded.
func TestParamLimit(t *testing.T) {
	p := &Params{}
	if _, err := compileSrc(t, "$65536::text", p); err != nil || len(p.Types) != 65536 {
		t.Fatalf("$65536: %v, %d types", err, len(p.Types))
	}
	if _, err := compileSrc(t, "$2000000", &Params{}); pgerr.Code(err) != pgerr.UndefinedParameter {
		t.Fatalf("$2000000: %v, want 42P02", err)
	}
}
