package sql

import (
	"bufio"
	"io"
	"reflect"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// copyOpts parses the options of a COPY statement.
func copyOpts(t *testing.T, stmt string) copyOptions {
	t.Helper()
	tree, err := pg_query.Parse(stmt)
	if err != nil {
		t.Fatalf("parse %s: %v", stmt, err)
	}
	o, err := copyOptionsOf(tree.Stmts[0].Stmt.GetCopyStmt().Options)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return o
}

// decodeAll returns every row as strings, "<NULL>" for NULL.
func decodeAll(o copyOptions, ncols int, data string) ([][]string, error) {
	names := make([]string, ncols)
	for i := range names {
		names[i] = "c" + string(rune('0'+i))
	}
	d := newCopyDecoder(bufio.NewReaderSize(strings.NewReader(data), 16), o, names)
	var out [][]string
	for {
		fields, err := d.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var row []string
		for _, f := range fields {
			switch {
			case f.null:
				row = append(row, "<NULL>")
			case o.format == copyBinary:
				row = append(row, string(f.raw))
			default:
				row = append(row, f.text)
			}
		}
		out = append(out, row)
	}
}

func TestCopyDecode(t *testing.T) {
	tests := []struct {
		stmt  string
		ncols int
		data  string
		want  [][]string
		code  string
	}{
		{`COPY t FROM STDIN`, 2, "a\tb\n\\N\t\\\\N\n", [][]string{{"a", "b"}, {"<NULL>", `\N`}}, ""},
		{`COPY t FROM STDIN`, 1, "\\x41\\101\\t\\q\n", [][]string{{"AA\tq"}}, ""},
		{`COPY t FROM STDIN`, 2, "a\tb\r\nc\td", [][]string{{"a", "b"}, {"c", "d"}}, ""},
		{`COPY t FROM STDIN`, 1, "a\n\\.\nignored\n", [][]string{{"a"}}, ""},
		{`COPY t FROM STDIN`, 1, "a very long line that spans buffers\n", [][]string{{"a very long line that spans buffers"}}, ""},
		{`COPY t FROM STDIN (DELIMITER ',', NULL '')`, 2, "a,\n,b\\,c\n", [][]string{{"a", "<NULL>"}, {"<NULL>", "b,c"}}, ""},
		{`COPY t FROM STDIN (HEADER)`, 1, "h\nv\n", [][]string{{"v"}}, ""},
		{`COPY t FROM STDIN`, 2, "a\n", nil, codeBadCopyFileFormat},
		{`COPY t FROM STDIN`, 1, "a\tb\n", nil, codeBadCopyFileFormat},
		{`COPY t FROM STDIN CSV`, 3, "a,\"b,c\",\n\"\",\"x\"\"y\",z\n", [][]string{{"a", "b,c", "<NULL>"}, {"", `x"y`, "z"}}, ""},
		{`COPY t FROM STDIN CSV HEADER`, 1, "h\n\"multi\nline\"\n", [][]string{{"multi\nline"}}, ""},
		{`COPY t FROM STDIN (FORMAT csv, QUOTE '''', ESCAPE '\', NULL 'N')`, 2, "'a\\'b',N\n'N',x\n", [][]string{{"a'b", "<NULL>"}, {"N", "x"}}, ""},
		{`COPY t FROM STDIN CSV`, 1, "\"open\n", nil, codeBadCopyFileFormat},
		{`COPY t FROM STDIN (FORMAT binary)`, 2,
			copySignature + "\x00\x00\x00\x00\x00\x00\x00\x00" + "\x00\x02\x00\x00\x00\x02hi\xff\xff\xff\xff" + "\xff\xff",
			[][]string{{"hi", "<NULL>"}}, ""},
		{`COPY t FROM STDIN (FORMAT binary)`, 1, "PGCOPY\nxx", nil, codeBadCopyFileFormat},
		{`COPY t FROM STDIN (FORMAT binary)`, 2,
			copySignature + "\x00\x00\x00\x00\x00\x00\x00\x00" + "\x00\x01\x00\x00\x00\x01a", nil, codeBadCopyFileFormat},
	}
	for _, tc := range tests {
		got, err := decodeAll(copyOpts(t, tc.stmt), tc.ncols, tc.data)
		if tc.code != "" {
			if pgerr.Code(err) != tc.code {
				t.Fatalf("%s %q: err %v, want SQLSTATE %s", tc.stmt, tc.data, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %q: %v", tc.stmt, tc.data, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%s %q:\n got %q\nwant %q", tc.stmt, tc.data, got, tc.want)
		}
	}
}

func TestCopyOptionErrors(t *testing.T) {
	for _, stmt := range []string{
		`COPY t FROM STDIN (FORMAT xml)`,
		`COPY t FROM STDIN (DELIMITER ',,')`,
		`COPY t FROM STDIN (QUOTE '"')`,
		`COPY t FROM STDIN (FORMAT binary, HEADER)`,
		`COPY t FROM STDIN (FORMAT csv, DELIMITER '"')`,
		`COPY t FROM STDIN (BOGUS 1)`,
	} {
		tree, err := pg_query.Parse(stmt)
		if err != nil {
			t.Fatalf("parse %s: %v", stmt, err)
		}
		if _, err := copyOptionsOf(tree.Stmts[0].Stmt.GetCopyStmt().Options); err == nil {
			t.Fatalf("%s: no error", stmt)
		}
	}
}

func TestCopyEncode(t *testing.T) {
	cols := []Column{{Name: "id", Type: types.Of(types.Int8)}, {Name: "s", Type: types.Of(types.Text)}}
	rows := [][]any{{int64(1), "a\tb\\c"}, {int64(2), nil}, {int64(3), `q"x,`}, {int64(4), ""}}
	tests := []struct{ stmt, want string }{
		{`COPY t TO STDOUT`, "1\ta\\tb\\\\c\n2\t\\N\n3\tq\"x,\n4\t\n"},
		{`COPY t TO STDOUT CSV HEADER`, "id,s\n1,a\tb\\c\n2,\n3,\"q\"\"x,\"\n4,\"\"\n"},
		{`COPY t TO STDOUT (FORMAT csv, DELIMITER '|', NULL 'N')`, "1|a\tb\\c\n2|N\n3|\"q\"\"x,\"\n4|\n"},
	}
	for _, tc := range tests {
		e := copyEncoder{opts: copyOpts(t, tc.stmt), cols: cols, floatDigits: 1}
		buf := e.start(nil)
		for _, r := range rows {
			var err error
			if buf, err = e.row(buf, r); err != nil {
				t.Fatal(err)
			}
		}
		buf = e.end(buf)
		if string(buf) != tc.want {
			t.Fatalf("%s:\n got %q\nwant %q", tc.stmt, buf, tc.want)
		}
		// What is written reads back as the same fields.
		back, err := decodeAll(copyOpts(t, strings.Replace(tc.stmt, "TO STDOUT", "FROM STDIN", 1)), 2, string(buf))
		if err != nil {
			t.Fatalf("%s: read back: %v", tc.stmt, err)
		}
		if len(back) != len(rows) {
			t.Fatalf("%s: read back %d rows", tc.stmt, len(back))
		}
	}
}

// FuzzCopyDecode checks that no input makes the decoder panic or loop.
func FuzzCopyDecode(f *testing.F) {
	f.Add(uint8(0), "a\tb\n\\N\t\\x41\n")
	f.Add(uint8(1), "a,\"b\nc\",\n")
	f.Add(uint8(2), copySignature+"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01a\xff\xff\xff\xff\xff\xff")
	f.Fuzz(func(t *testing.T, format uint8, data string) {
		o := copyOptions{format: copyFormat(format % 3), delim: '\t', null: `\N`, quote: '"', escape: '"'}
		if o.format == copyCSV {
			o.delim, o.null = ',', ""
		}
		rows, _ := decodeAll(o, 2, data)
		if len(rows) > len(data)+1 {
			t.Fatalf("%d rows from %d bytes", len(rows), len(data))
		}
	})
}
