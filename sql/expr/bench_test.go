package expr

import "testing"

func BenchmarkColumnEqConst(b *testing.B) {
	n, _ := parseExpr("b = 10000000000")
	e, err := Compile(n, testScope{}, &Params{})
	if err != nil {
		b.Fatal(err)
	}
	env, row := testEnv(), testRow()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := e.Eval(env, row); v != true {
			b.Fatal(v)
		}
	}
}

func BenchmarkWhereAnd(b *testing.B) {
	n, _ := parseExpr("i > 5 AND t LIKE 'he%' AND nul IS NULL")
	e, err := Compile(n, testScope{}, &Params{})
	if err != nil {
		b.Fatal(err)
	}
	env, row := testEnv(), testRow()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := e.Eval(env, row); v != true {
			b.Fatal(v)
		}
	}
}
