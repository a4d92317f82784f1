package sql

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// CopyChannel is the front door's half of COPY FROM STDIN and COPY TO
// STDOUT: the wire server implements it over CopyInResponse/CopyData/
// CopyDone/CopyFail and CopyOutResponse.
type CopyChannel interface {
	// CopyIn asks the client for data (CopyInResponse) and returns what it
	// sends: Read returns io.EOF after CopyDone and an error after CopyFail
	// or an unexpected message.
	CopyIn(binary bool, ncols int) (io.Reader, error)
	// CopyOut announces data (CopyOutResponse); each Write is sent as one
	// CopyData message and Close sends CopyDone.
	CopyOut(binary bool, ncols int) (io.WriteCloser, error)
}

// SetCopyChannel gives the session its client's COPY channel. Without one
// (the HTTP gateway), COPY FROM STDIN and TO STDOUT fail with 0A000.
func (s *Session) SetCopyChannel(c CopyChannel) { s.copyCh = c }

// codeBadCopyFileFormat is PostgreSQL's bad_copy_file_format.
const codeBadCopyFileFormat = "22P04"

type copyFormat int

const (
	copyText copyFormat = iota
	copyCSV
	copyBinary
)

// copyOptions are COPY's WITH options.
type copyOptions struct {
	format copyFormat
	delim  byte
	null   string
	header bool
	quote  byte
	escape byte
}

func copyOptionsOf(opts []*pg_query.Node) (copyOptions, error) {
	o := copyOptions{delim: '\t', null: `\N`, quote: '"', escape: 0}
	var delim, null, quote, escape *string
	for _, n := range opts {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		val, isBool := defElemString(d.Arg)
		switch d.Defname {
		case "format":
			switch strings.ToLower(val) {
			case "text":
				o.format = copyText
			case "csv":
				o.format = copyCSV
			case "binary":
				o.format = copyBinary
			default:
				return o, pgerr.New(pgerr.InvalidParameterValue, "COPY format \"%s\" not recognized", val)
			}
		case "delimiter":
			delim = &val
		case "null":
			null = &val
		case "quote":
			quote = &val
		case "escape":
			escape = &val
		case "header":
			switch strings.ToLower(val) {
			case "", "true", "on", "1":
				o.header = true
			case "false", "off", "0":
				o.header = false
			case "match":
				o.header = true
			default:
				if isBool {
					o.header = true
					break
				}
				return o, pgerr.New(pgerr.InvalidParameterValue, "header requires a Boolean value or \"match\"")
			}
		case "encoding":
			if e := strings.ToUpper(strings.ReplaceAll(val, "-", "")); e != "UTF8" && e != "SQLASCII" {
				return o, pgerr.New(pgerr.FeatureNotSupported, "COPY encoding %q is not supported (only UTF8)", val)
			}
		case "freeze", "force_not_null", "force_null", "force_quote":
			// Accepted: FREEZE is a hint; the FORCE_* options only affect
			// how empty values are read, which we treat as PostgreSQL's
			// defaults do.
		default:
			return o, pgerr.New(pgerr.SyntaxError, "option \"%s\" not recognized", d.Defname)
		}
	}
	if o.format == copyCSV {
		o.delim, o.null = ',', ""
	}
	single := func(name string, v *string, dst *byte) error {
		if v == nil {
			return nil
		}
		if len(*v) != 1 {
			return pgerr.New(pgerr.FeatureNotSupported, "COPY %s must be a single one-byte character", name)
		}
		*dst = (*v)[0]
		return nil
	}
	if o.format == copyBinary && (delim != nil || null != nil || quote != nil || escape != nil || o.header) {
		return o, pgerr.New(pgerr.SyntaxError, "cannot specify DELIMITER, NULL, QUOTE, ESCAPE or HEADER in BINARY mode")
	}
	if o.format != copyCSV && (quote != nil || escape != nil) {
		return o, pgerr.New(pgerr.FeatureNotSupported, "COPY quote and escape available only in CSV mode")
	}
	if err := single("delimiter", delim, &o.delim); err != nil {
		return o, err
	}
	if err := single("quote", quote, &o.quote); err != nil {
		return o, err
	}
	if err := single("escape", escape, &o.escape); err != nil {
		return o, err
	}
	if o.escape == 0 {
		o.escape = o.quote
	}
	if null != nil {
		o.null = *null
	}
	if o.delim == '\n' || o.delim == '\r' || o.delim == '\\' && o.format == copyText {
		return o, pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter cannot be newline, carriage return or backslash")
	}
	if o.format == copyCSV && o.delim == o.quote {
		return o, pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter and quote must be different")
	}
	return o, nil
}

// defElemString reads an option's argument as text; isBool reports a
// bare option (HEADER) or a Boolean literal.
func defElemString(n *pg_query.Node) (string, bool) {
	switch {
	case n == nil:
		return "", true
	case n.GetString_() != nil:
		return n.GetString_().Sval, false
	case n.GetBoolean() != nil:
		if n.GetBoolean().Boolval {
			return "true", true
		}
		return "false", true
	case n.GetInteger() != nil:
		return strconv.Itoa(int(n.GetInteger().Ival)), false
	case n.GetAStar() != nil:
		return "*", false
	case n.GetList() != nil:
		return strings.Join(nameList(n.GetList().Items), ","), false
	}
	return "", false
}

func (s *Session) bindCopy(st *pg_query.CopyStmt, params *expr.Params) (plan, error) {
	if st.IsProgram || st.Filename != "" {
		return nil, pgerr.New(pgerr.InsufficientPrivilege,
			"COPY to or from a server file or program is not allowed; use STDIN/STDOUT (psql's \\copy)")
	}
	if st.WhereClause != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY FROM ... WHERE is not supported")
	}
	opts, err := copyOptionsOf(st.Options)
	if err != nil {
		return nil, err
	}
	if st.IsFrom {
		return s.bindCopyFrom(st, opts, params)
	}
	return s.bindCopyTo(st, opts, params)
}

// copyToPlan runs a query and streams its rows to the client.
type copyToPlan struct {
	src  plan
	opts copyOptions
}

func (p *copyToPlan) kind() planKind    { return kindRead }
func (p *copyToPlan) columns() []Column { return nil }

func (s *Session) bindCopyTo(st *pg_query.CopyStmt, opts copyOptions, params *expr.Params) (plan, error) {
	var src plan
	var err error
	if st.Query != nil {
		if src, err = s.bind(st.Query, params); err != nil {
			return nil, err
		}
		if src.columns() == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY query must have a RETURNING clause")
		}
	} else {
		// COPY t (cols) TO is SELECT cols FROM t, built as a parse tree so
		// names resolve exactly as in a query.
		sel := &pg_query.SelectStmt{
			Op:          pg_query.SetOperation_SETOP_NONE,
			LimitOption: pg_query.LimitOption_LIMIT_OPTION_DEFAULT,
			FromClause:  []*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: st.Relation}}},
		}
		if len(st.Attlist) == 0 {
			sel.TargetList = []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(
				pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeAStarNode()}, -1), -1)}
		}
		for _, name := range nameList(st.Attlist) {
			sel.TargetList = append(sel.TargetList, pg_query.MakeResTargetNodeWithVal(
				pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(name)}, -1), -1))
		}
		if src, err = s.bindSelect(sel, params); err != nil {
			return nil, err
		}
	}
	return &copyToPlan{src: src, opts: opts}, nil
}

func (p *copyToPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	ch := x.s.copyCh
	if ch == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY TO STDOUT is only available over the PostgreSQL protocol")
	}
	res, err := p.src.exec(ctx, x)
	if err != nil {
		return nil, err
	}
	cols := p.src.columns()
	w, err := ch.CopyOut(p.opts.format == copyBinary, len(cols))
	if err != nil {
		return nil, err
	}
	enc := copyEncoder{opts: p.opts, cols: cols, loc: x.s.loc, floatDigits: x.s.ExtraFloatDigits()}
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = enc.start(buf)
	for i, row := range res.Rows {
		if buf, err = enc.row(buf, row); err != nil {
			return nil, err
		}
		// One CopyData per row, as PostgreSQL sends; batched writes are
		// merged by the connection's write buffer.
		if err := flush(); err != nil {
			return nil, err
		}
		if i%1024 == 1023 {
			if err := x.ctxErr(); err != nil {
				return nil, err
			}
		}
	}
	buf = enc.end(buf)
	if err := flush(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return tagOnly("COPY " + strconv.Itoa(len(res.Rows))), nil
}

// copyFromPlan reads rows from the client into a table.
type copyFromPlan struct {
	ins  *insertPlan
	opts copyOptions
}

// kindRead: the input is consumed as it is read, so an autocommit COPY
// must not be retried after a conflict as kindWrite plans are.
func (p *copyFromPlan) kind() planKind    { return kindRead }
func (p *copyFromPlan) columns() []Column { return nil }

func (s *Session) bindCopyFrom(st *pg_query.CopyStmt, opts copyOptions, params *expr.Params) (plan, error) {
	if st.Query != nil || st.Relation == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "COPY FROM requires a table")
	}
	ref, err := s.resolveTable(st.Relation)
	if err != nil {
		return nil, err
	}
	layout, err := newRowLayout(ref.t)
	if err != nil {
		return nil, err
	}
	t := ref.t
	ins := &insertPlan{ref: ref, layout: layout, changes: changeTable(t)}
	if len(st.Attlist) == 0 {
		for i := range t.Columns {
			ins.targets = append(ins.targets, i)
		}
	}
	for _, name := range nameList(st.Attlist) {
		i := t.ColumnIndex(name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
		}
		for _, prev := range ins.targets {
			if prev == i {
				return nil, pgerr.New(pgerr.DuplicateColumn, "column \"%s\" specified more than once", name)
			}
		}
		ins.targets = append(ins.targets, i)
	}
	if ins.defaults, err = compileDefaults(s, t, params); err != nil {
		return nil, err
	}
	return &copyFromPlan{ins: ins, opts: opts}, nil
}

func (p *copyFromPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	ch := x.s.copyCh
	if ch == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY FROM STDIN is only available over the PostgreSQL protocol")
	}
	ins := p.ins
	part, err := x.s.partition(ins.ref)
	if err != nil {
		return nil, err
	}
	r, err := ch.CopyIn(p.opts.format == copyBinary, len(ins.targets))
	if err != nil {
		return nil, err
	}
	t := ins.ref.t
	colTypes := make([]types.Type, len(ins.targets))
	colNames := make([]string, len(ins.targets))
	for j, i := range ins.targets {
		colTypes[j], colNames[j] = t.Columns[i].Type, t.Columns[i].Name
	}
	dec := newCopyDecoder(bufio.NewReaderSize(r, 64<<10), p.opts, colNames)
	var n int64
	for {
		fields, err := dec.next()
		if err == io.EOF {
			// Data after an end marker is ignored, but read up to CopyDone
			// so the connection stays in step.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return nil, err
			}
			break
		}
		if err != nil {
			return nil, copyContext(err, t.Name, dec.line, "", "")
		}
		supplied := make([]any, len(fields))
		for j, f := range fields {
			if f.null {
				continue
			}
			if supplied[j], err = dec.value(f, colTypes[j], x.s.loc); err != nil {
				return nil, copyContext(err, t.Name, dec.line, colNames[j], f.text)
			}
		}
		row, err := ins.newRow(x, supplied, nil)
		if err == nil {
			err = ins.write(x, part, row)
		}
		if err != nil {
			return nil, copyContext(err, t.Name, dec.line, "", "")
		}
		n++
		if n%1024 == 0 {
			if err := x.ctxErr(); err != nil {
				return nil, err
			}
		}
	}
	return tagOnly("COPY " + strconv.FormatInt(n, 10)), nil
}

// copyContext adds PostgreSQL's CONTEXT line ("COPY t, line 3, column a:
// "x"") to a row's error.
func copyContext(err error, table string, line int64, col, val string) error {
	e, ok := pgerr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		e = pgerr.Wrap(err, codeBadCopyFileFormat, "%v", err)
	} else {
		c := *e
		e = &c
	}
	where := fmt.Sprintf("COPY %s, line %d", table, line)
	if col != "" {
		if len(val) > 64 {
			val = val[:64] + "..."
		}
		where += fmt.Sprintf(", column %s: \"%s\"", col, val)
	}
	if e.Where == "" {
		e.Where = where
	}
	return e
}
