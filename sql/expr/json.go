package expr

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// JSON values are handled as encoding/json decodes them (map[string]any,
// []any, string, json.Number, bool, nil) and written back in jsonb's
// canonical text form.

func parseJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid input syntax for type json")
	}
	return v, nil
}

// writeJSON appends v as jsonb prints it: keys ordered by length then
// bytes, ", " and ": " separators.
func writeJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		if d, _, err := apd.NewFromString(string(x)); err == nil {
			if d.Exponent > 0 {
				_, _ = numCtx.Quantize(d, d, 0)
			}
			b.WriteString(d.Text('f'))
		} else {
			b.WriteString(string(x))
		}
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(b, k)
			b.WriteString(": ")
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[r>>4])
				b.WriteByte("0123456789abcdef"[r&15])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

func jsonText(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

// jsonScalarText is ->>'s text of an element: strings unquoted, null NULL.
func jsonScalarText(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	}
	return jsonText(v)
}

// toJSONValue converts a SQL value to a JSON value as to_jsonb does.
func toJSONValue(v any, oid types.OID, loc *time.Location) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return toText(v, oid, loc), nil
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case *apd.Decimal:
		if x.Form != apd.Finite {
			return toText(v, oid, loc), nil
		}
		return json.Number(x.Text('f')), nil
	case string:
		if oid == types.JSON || oid == types.JSONB {
			return parseJSON(x)
		}
		return x, nil
	case time.Time:
		switch oid {
		case types.Timestamptz:
			return x.In(loc).Format("2006-01-02T15:04:05.999999-07:00"), nil
		case types.Timestamp:
			return x.Format("2006-01-02T15:04:05.999999"), nil
		case types.Date:
			return x.Format("2006-01-02"), nil
		}
	case []any:
		elem := types.ElemOf(oid)
		if elem == 0 {
			elem = types.Text
		}
		out := make([]any, len(x))
		for i, e := range x {
			et := elem
			if _, sub := e.([]any); sub { // a multidimensional array's row
				et = oid
			}
			j, err := toJSONValue(e, et, loc)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	}
	return toText(v, oid, loc), nil
}

func (c *compiler) resolveJSON(name string, args []Expr) (*builtin, []Expr, error) {
	ret := types.OID(types.JSONB)
	base := strings.TrimPrefix(name, "jsonb_")
	if strings.HasPrefix(name, "json_") || name == "to_json" {
		ret = types.JSON
		base = strings.TrimPrefix(name, "json_")
	}
	switch base {
	case "build_object", "build_array", "to_jsonb", "to_json":
		if (base == "to_jsonb" || base == "to_json") && len(args) != 1 {
			return nil, nil, nil
		}
		if base == "to_jsonb" && ret == types.JSON {
			return nil, nil, nil
		}
		conv, err := c.variadic(args)
		if err != nil {
			return nil, nil, err
		}
		oids := make([]types.OID, len(conv))
		for i, a := range conv {
			oids[i] = a.Type().OID
		}
		fname := name
		build := buildJSON
		if ret == types.JSON {
			build = buildJSONText
		}
		return &builtin{ret: ret, lenient: base != "to_jsonb" && base != "to_json", volatile: true, fn: func(env *Env, v []any) (any, error) {
			return build(fname, base, v, oids, env.loc())
		}}, conv, nil
	case "typeof", "array_length":
		if len(args) != 1 {
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, ret)
		if !ok || err != nil {
			return nil, nil, err
		}
		if base == "typeof" {
			return pure(types.Text, func(v []any) (any, error) {
				j, err := parseJSON(v[0].(string))
				if err != nil {
					return nil, err
				}
				return jsonTypeof(j), nil
			}), conv, nil
		}
		return pure(types.Int4, func(v []any) (any, error) {
			j, err := parseJSON(v[0].(string))
			if err != nil {
				return nil, err
			}
			arr, ok := j.([]any)
			if !ok {
				if _, isObj := j.(map[string]any); isObj {
					return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot get array length of a non-array")
				}
				return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot get array length of a scalar")
			}
			return int64(len(arr)), nil
		}), conv, nil
	}
	return nil, nil, nil
}

func jsonTypeof(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func buildJSON(name, base string, v []any, oids []types.OID, loc *time.Location) (any, error) {
	switch base {
	case "build_object":
		if len(v)%2 != 0 {
			e := pgerr.New(pgerr.InvalidParameterValue, "argument list must have even number of elements")
			e.Hint = "The arguments of " + name + "() must consist of alternating keys and values."
			return nil, e
		}
		obj := make(map[string]any, len(v)/2)
		for i := 0; i < len(v); i += 2 {
			if v[i] == nil {
				return nil, pgerr.New("22004", "argument %d: key must not be null", i+1)
			}
			val, err := toJSONValue(v[i+1], oids[i+1], loc)
			if err != nil {
				return nil, err
			}
			obj[toText(v[i], oids[i], loc)] = val
		}
		return jsonText(obj), nil
	case "build_array":
		arr := make([]any, len(v))
		for i := range v {
			val, err := toJSONValue(v[i], oids[i], loc)
			if err != nil {
				return nil, err
			}
			arr[i] = val
		}
		return jsonText(arr), nil
	}
	val, err := toJSONValue(v[0], oids[0], loc)
	if err != nil {
		return nil, err
	}
	return jsonText(val), nil
}
