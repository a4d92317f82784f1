package types

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/integration/pgrun"
	"github.com/kalamdb/kalamdb/pgerr"
)

// diffCases are inputs whose text round trip is checked against a real
// PostgreSQL 15, started for the test (it fails when PostgreSQL is
// missing: .ci/run installs it).
var diffCases = []struct{ typ, in string }{
	{"bool", "t"}, {"bool", " YES "}, {"bool", "of"}, {"bool", "o"}, {"bool", "2"},
	{"int2", "32767"}, {"int2", "32768"}, {"int2", " -12 "}, {"int4", "1e3"}, {"int4", ""},
	{"int8", "-9223372036854775808"}, {"int8", "9223372036854775808"}, {"int4", "+0"},
	{"float8", "0.1"}, {"float8", "1e100"}, {"float8", "1e15"}, {"float8", "1e14"}, {"float8", "-inf"},
	{"float8", "nan"}, {"float8", "1e400"}, {"float8", "1e-400"}, {"float8", "-0"}, {"float8", "123456789012345678"},
	{"float8", "0.0001"}, {"float8", "0.00001"}, {"float8", "4.9e-324"}, {"float8", "1.5"}, {"float8", "abc"},
	{"float4", "0.1"}, {"float4", "1e6"}, {"float4", "100000"}, {"float4", "3.4e39"}, {"float4", "1.17549435e-38"},
	{"float4", "16777217"}, {"float4", "1e-46"},
	{"numeric", "1.50"}, {"numeric", " 1.5e3 "}, {"numeric", ".5"}, {"numeric", "5."}, {"numeric", "-0.00"},
	{"numeric", "NaN"}, {"numeric", "-inf"}, {"numeric", "1e-5"}, {"numeric", "12345678901234567890.123456789"},
	{"numeric", "1e"}, {"numeric", "e5"}, {"numeric", "1e-16384"}, {"numeric(5,2)", "123.455"}, {"numeric(5,2)", "1234.5"},
	{"numeric(3,-1)", "125"}, {"numeric(2,2)", "0.999"}, {"numeric(4,1)", "-0.04"},
	{"varchar(3)", "abc  "}, {"varchar(3)", "abcd"}, {"char(3)", "a"}, {"char(3)", "abcd"}, {"name", strings.Repeat("é", 40)},
	{"bytea", "\\x0102ff"}, {"bytea", "\\x01 02"}, {"bytea", "\\x012"}, {"bytea", "\\xzz"}, {"bytea", "a\\\\b\\001c"},
	{"bytea", "a\\9"}, {"bytea", "héllo"},
	{"uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}, {"uuid", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"},
	{"uuid", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}, {"uuid", "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11"}, {"uuid", "a0eebc99"},
	{"json", ` {"a" : 1, "a": [1, 2.0]} `}, {"json", `{"a":}`}, {"json", `[1,2`}, {"json", `01`}, {"json", `"\ud800"`},
	{"json", `"\u0000"`}, {"json", `tru`}, {"json", `-`}, {"json", `1.e3`},
	{"jsonb", `{"b":1,"aa":[1,2],"a":{},"b":2}`}, {"jsonb", `[1.0, 1e2, -0, 1E-2, "x\ty\u00e9\"", null, true]`},
	{"jsonb", `"\u0000"`}, {"jsonb", `{"\u0041": "\ud83d\ude00"}`}, {"jsonb", `  3  `}, {"jsonb", `"a/b\/c\u001f"`},
	{"date", "2024-01-02"}, {"date", "01/02/2024"}, {"date", "01-02-24"}, {"date", "Jan 2 2024"}, {"date", "January 2, 2024"},
	{"date", "20240102"}, {"date", "0044-03-15 BC"}, {"date", "0000-01-01"}, {"date", "2024-02-30"}, {"date", "x2024"},
	{"date", "2024-01-02 03:04:05"}, {"date", "5874897-12-31"}, {"date", "5874898-01-01"}, {"date", "2 Jan 2024"},
	{"timestamp", "2024-01-02 03:04:05.123456"}, {"timestamp", "2024-01-02T03:04:05Z"}, {"timestamp", "2024-01-02 03:04:05+05"},
	{"timestamp", "2024-01-02 03:04"}, {"timestamp", "2024-01-02 24:00:00"}, {"timestamp", "2024-01-02 25:00"},
	{"timestamp", "2024-01-02 03:04:05.1234567"}, {"timestamp", "epoch"}, {"timestamp", "2024-01-02"},
	{"timestamp", "1999-12-31 23:59:59.9999995"}, {"timestamp(0)", "2024-01-02 03:04:05.5"}, {"timestamp(2)", "2024-01-02 03:04:05.125"},
	{"timestamp", "294276-12-31 23:59:59.999999"}, {"timestamp", "294277-01-01 00:00:00"}, {"timestamp", "4714-11-24 00:00:00 BC"},
	{"timestamp", "4714-11-23 23:59:59 BC"}, {"timestamp", "2024-01-02 03:04:05 pm"}, {"timestamp", "2024-01-02 12:04:05 am"},
	{"timestamptz", "2024-01-02T03:04:05.5+05:30"}, {"timestamptz", "2024-01-02 03:04:05-0800"}, {"timestamptz", "2024-01-02 03:04:05 America/New_York"},
	{"timestamptz", "2024-01-02 03:04:05"}, {"timestamptz", "1800-01-01 00:00:00 Europe/Paris"}, {"timestamptz", "2024-01-02 03:04:05 +02"},
	{"timestamptz", "2024-01-02 03:04:05 Nowhere/Land"}, {"timestamptz", "2024-06-02 03:04:05 z"},
	{"time", "03:04:05"}, {"time", "24:00:00"}, {"time", "03:04:05.5 pm"}, {"time", "3:4"}, {"time", "25:00"}, {"time", "2024-01-02 03:04:05+02"},
	{"interval", "1 year 2 mons 3 days 04:05:06.5"}, {"interval", "-1 days +02:00:00"}, {"interval", "1 day"}, {"interval", "2 hours"},
	{"interval", "30 minutes"}, {"interval", "10s"}, {"interval", "1h30m"}, {"interval", "P1D"}, {"interval", "P1Y2M3DT4H5M6.5S"},
	{"interval", "@ 1 day ago"}, {"interval", "-1.5 days"}, {"interval", "1.5 years"}, {"interval", "1.5 months"}, {"interval", "1 02:00:00"},
	{"interval", "10"}, {"interval", "1 day 1 day"}, {"interval", "5 10"}, {"interval", "0"}, {"interval", "-00:00:01.5"},
	{"interval", "1 mon -1 day"}, {"interval", "100 hours"}, {"interval", "1 week 2 days"}, {"interval", "3 centuries"},
	{"interval", "2147483647 days"}, {"interval", "2147483648 days"}, {"interval", "-178000000 years"}, {"interval", "PT1.5H"},
	{"interval", "1 millisecond"}, {"interval", "1.5 us"}, {"interval", "abc"}, {"interval", ""}, {"interval", "1:2:3:4"},
	{"interval", "-1 day -02:03:04"}, {"interval", "+1 day"}, {"interval", "1 day ago"}, {"interval", "1 decade 1.5 hours"},
	{"text[]", `{a,b,"c d",NULL}`}, {"text[]", `{"",null,"NULL", "a\"b\\c", {x}}`}, {"text[]", `{}`}, {"text[]", ` { a b , c } `},
	{"text[]", `{a,}`}, {"text[]", `{a} x`}, {"text[]", `[1:2]={a,b}`}, {"text[]", `[0:1]={a,b}`}, {"int8[]", `{1,2,NULL}`},
	{"int8[]", `{1,x}`}, {"int4[]", `{1, 2 ,3}`}, {"text[]", `{{a},{b}}`}, {"text[]", `a`}, {"text[]", `{a\,b,c\ }`},
	{"bool[]", `{t,false}`}, {"numeric[]", `{1.50,NaN}`}, {"jsonb[]", `{"{\"a\":1}"}`}, {"varchar(2)[]", `{abc}`},
	{"float8[]", `{1e100,NaN,-Infinity}`}, {"uuid[]", `{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}`}, {"date[]", `{2024-01-02}`},
	{"timestamptz[]", `{"2024-01-02 03:04:05+00"}`}, {"interval[]", `{"1 day"}`}, {"bytea[]", `{"\\x01"}`}, {"text[]", `{"a b","",x}`},
}

func TestAgainstPostgres(t *testing.T) {
	pg, err := pgrun.Start(context.Background(), pgrun.Options{})
	if err != nil {
		t.Fatalf("start PostgreSQL 15: %v", err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	args := fmt.Sprintf("-h 127.0.0.1 -p %d -U %s postgres", pg.Port(), pgrun.Superuser)
	var sql strings.Builder
	sql.WriteString("\\set VERBOSITY verbose\nset timezone='Asia/Kolkata';\nset intervalstyle=postgres;\n")
	for _, c := range diffCases {
		sql.WriteString("\\echo ====\nselect " + sqlQuote(c.in) + "::" + c.typ + ";\n")
	}
	cmd := exec.Command("psql", append(strings.Fields(args), "-AtX", "-f", "-")...)
	cmd.Stdin = strings.NewReader(sql.String())
	out, _ := cmd.CombinedOutput()
	parts := strings.Split(string(out), "====\n")[1:]
	if len(parts) != len(diffCases) {
		t.Fatalf("psql gave %d results for %d cases:\n%s", len(parts), len(diffCases), out)
	}
	loc, _ := time.LoadLocation("Asia/Kolkata")
	for i, c := range diffCases {
		want := strings.TrimSuffix(parts[i], "\n")
		wantCode := ""
		if strings.Contains(want, "ERROR:  ") {
			line := want[strings.Index(want, "ERROR:  ")+8:]
			wantCode = line[:5]
			want = strings.SplitN(line[7:], "\n", 2)[0]
		}
		typ, mods := splitTypeName(c.typ)
		ty, _, err := Lookup(typ, mods)
		if err != nil {
			t.Errorf("Lookup(%q): %v", c.typ, err)
			continue
		}
		if knownDiffs[c.in] {
			continue
		}
		// 'x'::t is an explicit cast of an unknown literal.
		v, err := Cast(c.in, Of(Unknown), ty, loc)
		got, gotCode := "", ""
		if err != nil {
			e, _ := pgerr.As(err)
			got, gotCode = err.Error(), e.Code
		} else {
			got = string(AppendText(nil, ty.OID, v, loc))
		}
		if got != want || gotCode != wantCode {
			t.Errorf("%s %q: got %s %q, want %s %q", c.typ, c.in, gotCode, got, wantCode, want)
		}
	}
}

// knownDiffs are inputs PostgreSQL accepts and this package rejects with
// 0A000: arrays with several dimensions or lower bounds other than 1.
var knownDiffs = map[string]bool{`[0:1]={a,b}`: true, `{{a},{b}}`: true}

func sqlQuote(s string) string {
	return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// splitTypeName splits "numeric(5,2)[]" into "numeric[]" and [5 2].
func splitTypeName(s string) (string, []int32) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, nil
	}
	j := strings.IndexByte(s, ')')
	var mods []int32
	for _, m := range strings.Split(s[i+1:j], ",") {
		v, _ := parseInt(Int4, m)
		mods = append(mods, int32(v))
	}
	return s[:i] + s[j+1:], mods
}
