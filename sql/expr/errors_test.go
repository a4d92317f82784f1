package expr

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		src, code, msg string
	}{
		{"2147483647 + 1", pgerr.NumericValueOutOfRange, "integer out of range"},
		{"b * b", pgerr.NumericValueOutOfRange, "bigint out of range"},
		{"9223372036854775807 + 1", pgerr.NumericValueOutOfRange, "bigint out of range"},
		{"s * s * s * s * s * s * s * s * s * s * s", pgerr.NumericValueOutOfRange, "smallint out of range"},
		{"(-2147483648) / -1", pgerr.NumericValueOutOfRange, "integer out of range"},
		{"-(i - 7 - 2147483647 - 1)", pgerr.NumericValueOutOfRange, "integer out of range"},
		{"1 / 0", pgerr.DivisionByZero, "division by zero"},
		{"i % 0", pgerr.DivisionByZero, "division by zero"},
		{"n / 0", pgerr.DivisionByZero, "division by zero"},
		{"f / 0", pgerr.DivisionByZero, "division by zero"},
		{"1e308::float8 * 10", pgerr.NumericValueOutOfRange, "value out of range: overflow"},
		{"0 ^ -1", "2201F", "zero raised to a negative power is undefined"},
		{"i = 'abc'", pgerr.InvalidTextRepresentation, "invalid input syntax for type integer"},
		{"i = t", pgerr.UndefinedFunction, "operator does not exist: integer = text"},
		{"1 + 'a'::text", pgerr.UndefinedFunction, "operator does not exist: integer + text"},
		{"'1' + '2'", "42725", "operator is not unique: unknown + unknown"},
		{"ok + 1", pgerr.UndefinedFunction, "operator does not exist: boolean + integer"},
		{"j::json = j::json", pgerr.UndefinedFunction, "operator does not exist: json = json"},
		{"foo(1)", pgerr.UndefinedFunction, "function foo(integer) does not exist"},
		{"lower(1)", pgerr.UndefinedFunction, "function lower(integer) does not exist"},
		{"public.now()", pgerr.UndefinedFunction, "function public.now() does not exist"},
		{"count(*)", pgerr.GroupingError, "aggregate functions are not allowed"},
		{"sum(i)", pgerr.GroupingError, "aggregate functions are not allowed"},
		{"row_number() OVER ()", pgerr.FeatureNotSupported, "window functions"},
		{"(SELECT 1)", pgerr.FeatureNotSupported, "subqueries"},
		{"EXISTS (SELECT 1)", pgerr.FeatureNotSupported, "subqueries"},
		{"i IN (SELECT 1)", pgerr.FeatureNotSupported, "subqueries"},
		{"nope", pgerr.UndefinedColumn, "column \"nope\" does not exist"},
		{"NOT i", pgerr.DatatypeMismatch, "argument of NOT must be type boolean, not type integer"},
		{"ok AND 1", pgerr.DatatypeMismatch, "argument of AND must be type boolean, not type integer"},
		{"CASE WHEN 1 THEN 1 END", pgerr.DatatypeMismatch, "argument of CASE/WHEN must be type boolean"},
		{"CASE WHEN ok THEN 1 ELSE 'a'::text END", pgerr.DatatypeMismatch, "CASE types integer and text cannot be matched"},
		{"CASE WHEN ok THEN 1 ELSE 'a' END", pgerr.InvalidTextRepresentation, "invalid input syntax for type integer"},
		{"COALESCE(i, t)", pgerr.DatatypeMismatch, "COALESCE types integer and text cannot be matched"},
		{"t LIKE 'a\\'", pgerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character"},
		{"t LIKE 'a' ESCAPE 'xy'", "22019", "invalid escape string"},
		{"i LIKE 'a'", pgerr.UndefinedFunction, "operator does not exist: integer ~~ unknown"},
		{"t ~ '('", "2201B", "invalid regular expression"},
		{"'x'::nosuchtype", pgerr.UndefinedObject, "type \"nosuchtype\" does not exist"},
		{"substr('abc', 1, -1)", "22011", "negative substring length not allowed"},
		{"split_part('a', ',', 0)", pgerr.InvalidParameterValue, "field position must not be zero"},
		{"current_setting('nope')", pgerr.UndefinedObject, "unrecognized configuration parameter \"nope\""},
		{"jsonb_build_object('a')", pgerr.InvalidParameterValue, "argument list must have even number of elements"},
		{"jsonb_array_length(j)", pgerr.InvalidParameterValue, "cannot get array length of a non-array"},
		{"date_trunc('fortnight', ts)", pgerr.InvalidParameterValue, "not recognized"},
		{"now() - '1 day'", pgerr.InvalidDatetimeFormat, ""},
		{"i[1]", pgerr.DatatypeMismatch, "cannot subscript type integer"},
		{"t SIMILAR TO 'a'", pgerr.FeatureNotSupported, "SIMILAR TO"},
		{"current_time", pgerr.FeatureNotSupported, ""},
		{"ARRAY[]", pgerr.IndeterminateDatatype, "cannot determine type of empty array"},
	}
	for _, tc := range tests {
		e, err := compileSrc(t, tc.src, &Params{})
		if err == nil {
			_, err = e.Eval(testEnv(), testRow())
		}
		checkCode(t, tc.src, err, tc.code, tc.msg)
	}
}

func TestFunctionHint(t *testing.T) {
	_, err := compileSrc(t, "foo(1, 'a')", &Params{})
	checkCode(t, "foo", err, pgerr.UndefinedFunction, "function foo(integer, unknown) does not exist")
	pe, _ := pgerr.As(err)
	if want := "No function matches the given name and argument types. You might need to add explicit type casts."; pe.Hint != want {
		t.Fatalf("hint %q, want %q", pe.Hint, want)
	}
}

func TestCompileBool(t *testing.T) {
	for _, tc := range []struct {
		src, code, msg string
	}{
		{"i", pgerr.DatatypeMismatch, "argument of WHERE must be type boolean, not type integer"},
		{"t", pgerr.DatatypeMismatch, "argument of WHERE must be type boolean, not type text"},
		{"'maybe'", pgerr.InvalidTextRepresentation, "invalid input syntax for type boolean"},
		{"count(*) > 1", pgerr.GroupingError, "aggregate functions are not allowed in WHERE"},
	} {
		n, err := parseExpr(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = CompileBool(n, testScope{}, &Params{}, "WHERE")
		checkCode(t, tc.src, err, tc.code, tc.msg)
	}
	for _, src := range []string{"ok", "i > 1", "'t'", "NULL", "$1"} {
		n, _ := parseExpr(src)
		p := &Params{}
		e, err := CompileBool(n, testScope{}, p, "WHERE")
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if e.Type().OID != types.Bool {
			t.Fatalf("%s: type %d", src, e.Type().OID)
		}
	}
}

func TestAggregateScope(t *testing.T) {
	n, _ := parseExpr("count(*) + 1")
	e, err := Compile(n, testScope{agg: true}, &Params{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Eval(testEnv(), testRow())
	if err != nil || v != int64(10000000001) || e.Type().OID != types.Int8 {
		t.Fatalf("count(*) + 1 = %v (%v), type %d", v, err, e.Type().OID)
	}
}
