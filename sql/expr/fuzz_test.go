package expr

import (
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// FuzzCompile compiles and evaluates arbitrary expression text: errors are
// fine, panics are not.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"1 + 2", "i = $1", "t LIKE '%a_'", "CASE i WHEN 1 THEN 'a' END", "j -> 'a' ->> 0",
		"COALESCE(nul, 1)", "i IN (1, NULL)", "ts + interval '1 day'", "substr(t, $2, 3)",
		"n / 3", "2 ^ 0.5", "ARRAY[1,2][1]", "extract(epoch from ts)", "'x'::jsonb ? 'a'",
		"(ARRAY[[i, 2], [3, 4]])[2][1]", "(1, i) < (i, 3)", "(i, t) IN ((1, 'a'))", `j - 'a'`, "j - i",
		"5 & i << 2", "~i # 3", "'ab'::char(4) || t", "json_build_object('a', j)", "initcap(t)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tree, err := pg_query.Parse("SELECT " + src)
		if err != nil || len(tree.Stmts) != 1 {
			return
		}
		sel := tree.Stmts[0].Stmt.GetSelectStmt()
		if sel == nil {
			return
		}
		for _, target := range sel.TargetList {
			rt := target.GetResTarget()
			if rt == nil || rt.Val == nil {
				continue
			}
			p := &Params{}
			e, err := Compile(rt.Val, testScope{}, p)
			if err != nil {
				continue
			}
			p.Finish()
			env := testEnv()
			env.Params = make([]any, len(p.Types))
			_, _ = e.Eval(env, testRow())
			_ = e.Type()
		}
	})
}
