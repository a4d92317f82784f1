package sql

import (
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// aggState is one aggregate's running value in one group.
type aggState struct {
	count int64
	val   any
	dec   *apd.Decimal
	float float64
	sb    strings.Builder
	seen  map[string]bool // for DISTINCT
	items [][]any         // collected inputs: args, then ORDER BY keys
}

var decimalCtx = apd.BaseContext.WithPrecision(40)

func (st *aggState) add(env *expr.Env, c *aggCall, in []any, mem *memTracker) error {
	if c.filter != nil {
		ok, err := c.filter.Eval(env, in)
		if err != nil || ok != true {
			return err
		}
	}
	if c.star {
		st.count++
		return nil
	}
	v, err := c.args[0].Eval(env, in)
	if err != nil || (v == nil && !c.keepsNulls) {
		return err
	}
	if c.distinct {
		key := string(appendGroupKey(nil, c.args[0].Type().OID, v))
		if st.seen == nil {
			st.seen = map[string]bool{}
		}
		if st.seen[key] {
			return nil
		}
		st.seen[key] = true
	}
	st.count++
	if c.collects {
		item := make([]any, 0, len(c.args)+len(c.orderBy))
		item = append(item, v)
		for _, a := range c.args[1:] {
			w, err := a.Eval(env, in)
			if err != nil {
				return err
			}
			item = append(item, w)
		}
		for _, o := range c.orderBy {
			w, err := o.Eval(env, in)
			if err != nil {
				return err
			}
			item = append(item, w)
		}
		if err := mem.add(item); err != nil {
			return err
		}
		st.items = append(st.items, item)
		return nil
	}
	switch c.name {
	case "sum", "avg":
		switch x := v.(type) {
		case int64:
			if st.dec == nil {
				st.dec = new(apd.Decimal)
			}
			_, err = decimalCtx.Add(st.dec, st.dec, apd.New(x, 0))
		case *apd.Decimal:
			if st.dec == nil {
				st.dec = new(apd.Decimal)
			}
			_, err = decimalCtx.Add(st.dec, st.dec, x)
		case float64:
			st.float += x
		case types.Interval:
			cur, _ := st.val.(types.Interval)
			st.val = types.Interval{Months: cur.Months + x.Months, Days: cur.Days + x.Days, Micros: cur.Micros + x.Micros}
		}
		return err
	case "min", "max":
		if st.val == nil {
			st.val = v
			return nil
		}
		cmp := types.Compare(c.typ.OID, v, st.val)
		if (c.name == "min" && cmp < 0) || (c.name == "max" && cmp > 0) {
			st.val = v
		}
	case "bool_and", "every":
		if st.val == nil {
			st.val = true
		}
		st.val = st.val.(bool) && v.(bool)
	case "bool_or":
		if st.val == nil {
			st.val = false
		}
		st.val = st.val.(bool) || v.(bool)
	case "string_agg":
		sep, err := c.args[1].Eval(env, in)
		if err != nil {
			return err
		}
		if st.count > 1 && sep != nil {
			st.sb.WriteString(sep.(string))
		}
		st.sb.WriteString(v.(string))
	}
	return nil
}

func (st *aggState) result(env *expr.Env, c *aggCall) (any, error) {
	if c.collects {
		return st.collected(env, c)
	}
	switch c.name {
	case "count":
		return st.count, nil
	case "string_agg":
		if st.count == 0 {
			return nil, nil
		}
		return st.sb.String(), nil
	case "sum", "avg":
		if st.count == 0 {
			return nil, nil
		}
		switch c.typ.OID {
		case types.Float8:
			if c.name == "avg" {
				return st.float / float64(st.count), nil
			}
			return st.float, nil
		case types.Int8:
			i, err := st.dec.Int64()
			if err != nil {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
			}
			return i, nil
		case types.IntervalOID:
			return st.val, nil
		}
		if c.name == "avg" {
			q := new(apd.Decimal)
			_, _ = decimalCtx.Quo(q, st.dec, apd.New(st.count, 0))
			_, _ = decimalCtx.Quantize(q, q, -avgScale(st.dec, q))
			return q, nil
		}
		// A copy: window frames keep adding to the running state.
		return new(apd.Decimal).Set(st.dec), nil
	}
	return st.val, nil
}

// avgScale is the display scale of numeric division (PostgreSQL's
// select_div_scale): 16 significant digits, counted in base-10000 digits
// of the quotient, and never fewer than the dividend's scale.
func avgScale(sum, q *apd.Decimal) int32 {
	weight := int64(0)
	if !q.IsZero() {
		adj := int64(q.NumDigits()) + int64(q.Exponent) - 1
		weight = adj / 4
		if adj < 0 && adj%4 != 0 {
			weight--
		}
	}
	s := int32(16 - weight*4)
	if -sum.Exponent > s {
		s = -sum.Exponent
	}
	if s < 0 {
		s = 0
	}
	return s
}

// collected folds the collected inputs, in the call's ORDER BY order.
func (st *aggState) collected(env *expr.Env, c *aggCall) (any, error) {
	if len(st.items) == 0 {
		return nil, nil
	}
	if len(c.order) > 0 {
		keys := make([]sortKey, len(c.order))
		for i, k := range c.order {
			k.col = len(c.args) + i
			keys[i] = k
		}
		sortKeysStable(st.items, keys)
	}
	switch c.name {
	case "string_agg":
		var sb strings.Builder
		first := true
		for _, it := range st.items {
			if it[0] == nil {
				continue
			}
			if !first && it[1] != nil {
				sb.WriteString(it[1].(string))
			}
			first = false
			sb.WriteString(it[0].(string))
		}
		if first {
			return nil, nil
		}
		return sb.String(), nil
	case "array_agg":
		out := make([]any, len(st.items))
		for i, it := range st.items {
			out[i] = it[0]
		}
		return out, nil
	case "jsonb_agg", "json_agg":
		vals := make([]any, len(st.items))
		for i, it := range st.items {
			vals[i] = it[0]
		}
		if c.name == "json_agg" {
			return expr.JSONAgg(vals, c.argType(), env.Loc)
		}
		return expr.JSONBAgg(vals, c.argType(), env.Loc)
	case "jsonb_object_agg", "json_object_agg":
		keys := make([]string, len(st.items))
		vals := make([]any, len(st.items))
		for i, it := range st.items {
			if it[0] == nil {
				return nil, pgerr.New("22004", "field name must not be null")
			}
			keys[i] = string(types.AppendText(nil, c.argType(), it[0], env.Loc))
			vals[i] = it[1]
		}
		if c.name == "json_object_agg" {
			return expr.JSONObjectAgg(keys, vals, c.args[1].Type().OID, env.Loc)
		}
		return expr.JSONBObjectAgg(keys, vals, c.args[1].Type().OID, env.Loc)
	}
	return nil, pgerr.New(pgerr.InternalError, "aggregate %s does not collect", c.name)
}
