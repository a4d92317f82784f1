package expr

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// testScope has a few typed columns; row() gives them values.
type testScope struct{ agg bool }

var testCols = []struct {
	name string
	t    types.Type
}{
	{"i", types.Of(types.Int4)},
	{"b", types.Of(types.Int8)},
	{"s", types.Of(types.Int2)},
	{"t", types.Of(types.Text)},
	{"v", types.Type{OID: types.Varchar, Mod: 14}},
	{"n", types.Of(types.Numeric)},
	{"f", types.Of(types.Float8)},
	{"ok", types.Of(types.Bool)},
	{"ts", types.Of(types.Timestamptz)},
	{"d", types.Of(types.Date)},
	{"j", types.Of(types.JSONB)},
	{"arr", types.Of(types.TextArray)},
	{"nul", types.Of(types.Int4)},
	{"tnul", types.Of(types.Text)},
}

func (testScope) Column(names []string) (int, types.Type, error) {
	name := names[len(names)-1]
	for i, c := range testCols {
		if c.name == name {
			return i, c.t, nil
		}
	}
	return 0, types.Type{}, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" does not exist", strings.Join(names, "."))
}

func (s testScope) Aggregate(call *pg_query.FuncCall) (int, types.Type, bool, error) {
	if s.agg && funcName(call.Funcname) == "count" {
		return 1, types.Of(types.Int8), true, nil
	}
	return 0, types.Type{}, false, nil
}

func testRow() []any {
	n, _, _ := apd.NewFromString("12.50")
	return []any{
		int64(7), int64(10000000000), int64(3), "hello", "Hello World", n, 2.5, true,
		time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC),
		time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC),
		`{"a": 1, "b": [1, 2, {"c": "x"}], "s": "str", "z": null}`,
		[]any{"x", nil, "z"},
		nil, nil,
	}
}

func testEnv() *Env {
	seq := int64(100)
	return &Env{
		Now:         time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
		Loc:         time.UTC,
		User:        "alice",
		SessionUser: "root",
		Database:    "kalamdb",
		Version:     "PostgreSQL 15.0 (KalamDB)",
		NextSeq:     func() int64 { seq++; return seq },
		Setting: func(name string) (string, bool) {
			if name == "timezone" {
				return "UTC", true
			}
			return "", false
		},
	}
}

// parseExpr returns the first target of "SELECT <src>".
func parseExpr(src string) (*pg_query.Node, error) {
	tree, err := pg_query.Parse("SELECT " + src)
	if err != nil {
		return nil, err
	}
	if len(tree.Stmts) != 1 {
		return nil, fmt.Errorf("want one statement")
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) == 0 {
		return nil, fmt.Errorf("not a select list")
	}
	return sel.TargetList[0].GetResTarget().Val, nil
}

func compileSrc(t *testing.T, src string, params *Params) (Expr, error) {
	t.Helper()
	n, err := parseExpr(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Compile(n, testScope{}, params)
}

// show renders a value as PostgreSQL's text output, NULL as "NULL".
func show(v any, oid types.OID) string {
	if v == nil {
		return "NULL"
	}
	return string(types.AppendText(nil, oid, v, time.UTC))
}

func evalSrc(t *testing.T, src string) (string, types.Type, error) {
	t.Helper()
	e, err := compileSrc(t, src, &Params{})
	if err != nil {
		return "", types.Type{}, err
	}
	v, err := e.Eval(testEnv(), testRow())
	if err != nil {
		return "", e.Type(), err
	}
	return show(v, e.Type().OID), e.Type(), nil
}

func checkCode(t *testing.T, src string, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %s", src, code)
	}
	if got := pgerr.Code(err); got != code {
		t.Fatalf("%s: code %s (%v), want %s", src, got, err, code)
	}
	if msg != "" && !strings.Contains(err.Error(), msg) {
		t.Fatalf("%s: message %q, want it to contain %q", src, err.Error(), msg)
	}
}
