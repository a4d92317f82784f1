package sql

import (
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// tableFunc is a set-returning function call: generate_series, unnest and
// the jsonb expanders.
type tableFunc struct {
	name   string
	args   []expr.Expr
	cols   []Column
	scalar bool // one column named after the function (or its alias)
	// rows produces a system view's rows (kalamdb_jobs).
	rows func() [][]any
}

func isSetReturning(name string) bool {
	switch name {
	case "generate_series", "unnest", "jsonb_array_elements", "jsonb_array_elements_text",
		"jsonb_each", "jsonb_each_text", "jsonb_object_keys", "kalamdb_jobs":
		return true
	}
	return false
}

// bindTableFunc compiles a set-returning call's arguments in sc.
func (b *binder) bindTableFunc(fc *pg_query.FuncCall, sc expr.Scope, inFrom bool) (*tableFunc, error) {
	name := strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1]))
	if !isSetReturning(name) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "function %s in FROM is not supported", name)
	}
	if fc.AggStar || fc.AggDistinct || fc.Over != nil || fc.AggFilter != nil || len(fc.AggOrder) > 0 {
		return nil, pgerr.New(pgerr.WrongObjectType, "%s is not an aggregate function", name)
	}
	f := &tableFunc{name: name}
	compileAll := func(t types.Type) error {
		f.args = f.args[:0]
		for _, a := range fc.Args {
			e, err := expr.CompileAs(a, sc, b.params, t)
			if err != nil {
				return err
			}
			f.args = append(f.args, e)
		}
		return nil
	}
	argc := func(lo, hi int) error {
		if len(fc.Args) < lo || len(fc.Args) > hi {
			return pgerr.New(pgerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(fc.Args))
		}
		return nil
	}
	switch name {
	case "kalamdb_jobs":
		if err := argc(0, 0); err != nil {
			return nil, err
		}
		// Jobs name every user whose partition was flushed.
		if err := b.s.requireRole(auth.RoleService, "read kalamdb_jobs"); err != nil {
			return nil, err
		}
		f.cols, f.rows = jobColumns, b.s.eng.jobRows
		return f, nil
	case "generate_series":
		if err := argc(2, 3); err != nil {
			return nil, err
		}
		var ts []types.Type
		var untyped []bool
		for _, a := range fc.Args {
			e, err := expr.Compile(a, sc, b.params)
			if err != nil {
				return nil, err
			}
			ts, untyped = append(ts, e.Type()), append(untyped, expr.IsUntypedParam(e))
		}
		t := types.Of(types.Int4)
		for i, at := range ts {
			if untyped[i] {
				continue // takes the type the other arguments pick
			}
			switch at.OID {
			case types.Int8:
				t = types.Of(types.Int8)
			case types.Numeric:
				if t.OID != types.Timestamptz && t.OID != types.Timestamp {
					t = types.Of(types.Numeric)
				}
			case types.Int2, types.Int4:
			case types.Timestamp, types.Timestamptz, types.Date, types.IntervalOID:
				t = types.Of(types.Timestamptz)
				if ts[0].OID == types.Timestamp {
					t = types.Of(types.Timestamp)
				}
			case types.Text:
				if fc.Args[i].GetAConst() == nil {
					return nil, errNoFunc(name, ts)
				}
			default:
				return nil, errNoFunc(name, ts)
			}
			if t.OID == types.Timestamp || t.OID == types.Timestamptz {
				break
			}
		}
		f.scalar = true
		f.cols = []Column{{Name: name, Type: t}}
		if t.OID == types.Timestamp || t.OID == types.Timestamptz {
			if err := argc(3, 3); err != nil {
				return nil, err
			}
			f.args = nil
			for i, a := range fc.Args {
				want := t
				if i == 2 {
					want = types.Of(types.IntervalOID)
				}
				e, err := expr.CompileAs(a, sc, b.params, want)
				if err != nil {
					return nil, err
				}
				f.args = append(f.args, e)
			}
			return f, nil
		}
		return f, compileAll(t)
	case "unnest":
		// unnest(a, b, ...) zips its arrays, padding the shorter ones
		// with NULLs; PostgreSQL allows it only in FROM (rf says so).
		hi := 1
		if inFrom {
			hi = max(len(fc.Args), 1)
		}
		if err := argc(1, hi); err != nil {
			return nil, err
		}
		var ts []types.Type
		for _, a := range fc.Args {
			e, err := expr.Compile(a, sc, b.params)
			if err != nil {
				return nil, err
			}
			f.args, ts = append(f.args, e), append(ts, e.Type())
		}
		for i, e := range f.args {
			elem := types.ElemOf(e.Type().OID)
			if elem == 0 {
				if len(f.args) == 1 {
					return nil, errNoFunc(name, ts)
				}
				return nil, pgerr.New(pgerr.DatatypeMismatch, "function unnest argument %d is not an array", i+1)
			}
			f.cols = append(f.cols, Column{Name: name, Type: types.Of(elem)})
		}
		f.scalar = len(f.args) == 1
		return f, nil
	}
	if err := argc(1, 1); err != nil {
		return nil, err
	}
	if err := compileAll(types.Of(types.JSONB)); err != nil {
		return nil, err
	}
	text, jsonb := types.Of(types.Text), types.Of(types.JSONB)
	switch name {
	case "jsonb_array_elements":
		f.cols = []Column{{Name: "value", Type: jsonb}}
	case "jsonb_array_elements_text":
		f.cols = []Column{{Name: "value", Type: text}}
	case "jsonb_each":
		f.cols = []Column{{Name: "key", Type: text}, {Name: "value", Type: jsonb}}
	case "jsonb_each_text":
		f.cols = []Column{{Name: "key", Type: text}, {Name: "value", Type: text}}
	case "jsonb_object_keys":
		f.cols, f.scalar = []Column{{Name: name, Type: text}}, true
	}
	return f, nil
}

func errNoFunc(name string, ts []types.Type) error {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = types.NameOf(t)
	}
	e := pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", "))
	e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// generate calls emit with each result row of the function.
func (f *tableFunc) generate(env *expr.Env, row []any, emit rowFunc) error {
	if f.rows != nil {
		for _, r := range f.rows() {
			if more, err := emit(r); err != nil || !more {
				return err
			}
		}
		return nil
	}
	vals := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := a.Eval(env, row)
		if err != nil {
			return err
		}
		if v == nil {
			if f.name == "unnest" && len(f.args) > 1 {
				v = []any{} // zipped: a NULL array is an empty one
			} else {
				return nil // strict: NULL in, no rows out
			}
		}
		vals[i] = v
	}
	one := func(v any) (bool, error) { return emit([]any{v}) }
	switch f.name {
	case "generate_series":
		if f.cols[0].Type.OID == types.Timestamp || f.cols[0].Type.OID == types.Timestamptz {
			return seriesTime(env, f.cols[0].Type.OID, vals, one)
		}
		if f.cols[0].Type.OID == types.Numeric {
			return seriesNumeric(vals, one)
		}
		step := int64(1)
		if len(vals) == 3 {
			step = vals[2].(int64)
		}
		if step == 0 {
			return pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
		}
		for i, stop := vals[0].(int64), vals[1].(int64); (step > 0 && i <= stop) || (step < 0 && i >= stop); i += step {
			if more, err := one(i); err != nil || !more {
				return err
			}
			if (step > 0 && i > stop-step) || (step < 0 && i < stop-step) {
				break // the next step would overflow past stop
			}
		}
		return nil
	case "unnest":
		if len(vals) == 1 {
			for _, v := range types.FlattenArray(vals[0].([]any)) {
				if more, err := one(v); err != nil || !more {
					return err
				}
			}
			return nil
		}
		return unnestZip(vals, emit)
	case "jsonb_array_elements", "jsonb_array_elements_text":
		elems, err := expr.JSONArrayElements(vals[0].(string))
		if err != nil {
			return err
		}
		for _, e := range elems {
			var v any = e
			if f.name == "jsonb_array_elements_text" {
				if v, err = expr.JSONScalarText(e); err != nil {
					return err
				}
			}
			if more, err := one(v); err != nil || !more {
				return err
			}
		}
		return nil
	}
	keys, jvals, err := expr.JSONObjectFields(vals[0].(string), f.name)
	if err != nil {
		return err
	}
	for i, k := range keys {
		var r []any
		switch f.name {
		case "jsonb_object_keys":
			r = []any{k}
		case "jsonb_each":
			r = []any{k, jvals[i]}
		default:
			t, err := expr.JSONScalarText(jvals[i])
			if err != nil {
				return err
			}
			r = []any{k, t}
		}
		if more, err := emit(r); err != nil || !more {
			return err
		}
	}
	return nil
}

// unnestZip is unnest over several arrays: row i holds element i of each,
// NULL where an array is shorter.
func unnestZip(vals []any, emit rowFunc) error {
	n := 0
	for i, v := range vals {
		vals[i] = types.FlattenArray(v.([]any))
		n = max(n, len(vals[i].([]any)))
	}
	for i := 0; i < n; i++ {
		r := make([]any, len(vals))
		for j, v := range vals {
			if a := v.([]any); i < len(a) {
				r[j] = a[i]
			}
		}
		if more, err := emit(r); err != nil || !more {
			return err
		}
	}
	return nil
}

// seriesNumeric is generate_series over numeric: each value is the
// previous plus step, so its scale is the larger of start's and step's.
func seriesNumeric(vals []any, emit func(any) (bool, error)) error {
	start, stop := vals[0].(*apd.Decimal), vals[1].(*apd.Decimal)
	step := apd.New(1, 0)
	if len(vals) == 3 {
		step = vals[2].(*apd.Decimal)
	}
	for i, d := range []*apd.Decimal{start, stop, step} {
		if d.Form != apd.Finite {
			what := [...]string{"start value", "stop value", "step size"}[i]
			if d.Form == apd.NaN || d.Form == apd.NaNSignaling {
				return pgerr.New(pgerr.InvalidParameterValue, "%s cannot be NaN", what)
			}
			return pgerr.New(pgerr.InvalidParameterValue, "%s cannot be infinity", what)
		}
	}
	if step.IsZero() {
		return pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
	}
	forward := !step.Negative
	cur := new(apd.Decimal).Set(start)
	for {
		c := cur.Cmp(stop)
		if (forward && c > 0) || (!forward && c < 0) {
			return nil
		}
		if more, err := emit(new(apd.Decimal).Set(cur)); err != nil || !more {
			return err
		}
		if _, err := apd.BaseContext.WithPrecision(1000).Add(cur, cur, step); err != nil {
			return pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
		}
	}
}

func seriesTime(env *expr.Env, oid types.OID, vals []any, emit func(any) (bool, error)) error {
	start, stop, step := vals[0].(time.Time), vals[1].(time.Time), vals[2].(types.Interval)
	loc := env.Loc
	if oid == types.Timestamp || loc == nil {
		loc = time.UTC
	}
	zero := types.Interval{}
	if step == zero {
		return pgerr.New(pgerr.InvalidParameterValue, "step size cannot equal zero")
	}
	forward := types.Compare(types.IntervalOID, step, zero) > 0
	for t := start; (forward && !t.After(stop)) || (!forward && !t.Before(stop)); {
		if more, err := emit(t); err != nil || !more {
			return err
		}
		next, err := expr.AddInterval(t, step, loc)
		if err != nil {
			return err
		}
		t = next
	}
	return nil
}

// funcNode is a set-returning function in FROM.
type funcNode struct {
	f          *tableFunc
	ordinality bool
}

func (n *funcNode) run(_ *qrun, env *expr.Env, fn rowFunc) error {
	ord := int64(0)
	return n.f.generate(env, nil, func(row []any) (bool, error) {
		if n.ordinality {
			ord++
			row = append(row, ord)
		}
		return fn(row)
	})
}

func (b *binder) bindRangeFunction(rf *pg_query.RangeFunction, sc outerScope, lateral bool) (*fromItem, error) {
	if len(rf.Functions) != 1 || rf.IsRowsfrom {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "ROWS FROM with several functions is not supported yet")
	}
	items := rf.Functions[0].GetList().Items
	fc := items[0].GetFuncCall()
	if fc == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "this function call in FROM is not supported")
	}
	if len(items) > 1 && items[1] != nil && items[1].Node != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "column definition lists are not supported yet")
	}
	f, err := b.bindTableFunc(fc, b.noColsScope(sc), true)
	if err != nil {
		return nil, err
	}
	alias := f.name
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
	}
	var cols []relCol
	for _, c := range f.cols {
		name := c.Name
		if f.scalar && rf.Alias != nil {
			name = alias
		}
		cols = append(cols, relCol{qual: alias, name: name, t: c.Type})
	}
	if rf.Ordinality {
		cols = append(cols, relCol{qual: alias, name: "ordinality", t: types.Of(types.Int8)})
	}
	if len(cols) == 1 && f.rows == nil {
		cols[0].wholeRow = true
	}
	if rf.Alias != nil {
		names := nameList(rf.Alias.Colnames)
		if len(names) > len(cols) {
			return nil, pgerr.New(pgerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(names))
		}
		for i, n := range names {
			cols[i].name = n
		}
	}
	return &fromItem{src: &funcNode{f: f, ordinality: rf.Ordinality}, cols: cols, lateral: lateral, names: []string{alias}}, nil
}
