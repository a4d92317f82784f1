package expr

import (
	"slices"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// Helpers for the planner's set-returning JSON functions and JSON
// aggregates; values are jsonb's canonical text.

// JSONArrayElements returns the elements of a jsonb array.
func JSONArrayElements(s string) ([]string, error) {
	v, err := parseJSON(s)
	if err != nil {
		return nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		what := "a scalar"
		if _, obj := v.(map[string]any); obj {
			what = "an object"
		}
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot extract elements from %s", what)
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		out[i] = jsonText(e)
	}
	return out, nil
}

// JSONObjectFields returns the keys and values of a jsonb object in
// jsonb's key order.
func JSONObjectFields(s, fn string) (keys, vals []string, err error) {
	v, err := parseJSON(s)
	if err != nil {
		return nil, nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		what := "a scalar"
		if _, arr := v.([]any); arr {
			what = "an array"
		}
		return nil, nil, pgerr.New(pgerr.InvalidParameterValue, "cannot call %s on %s", fn, what)
	}
	for k := range obj {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		vals = append(vals, jsonText(obj[k]))
	}
	return keys, vals, nil
}

// JSONScalarText is ->>'s text of a jsonb element: strings unquoted, null
// as NULL.
func JSONScalarText(s string) (any, error) {
	v, err := parseJSON(s)
	if err != nil {
		return nil, err
	}
	return jsonScalarText(v), nil
}

// JSONBAgg builds jsonb_agg's array from values of type oid.
func JSONBAgg(vals []any, oid types.OID, loc *time.Location) (string, error) {
	out := make([]any, len(vals))
	for i, v := range vals {
		j, err := toJSONValue(v, oid, loc)
		if err != nil {
			return "", err
		}
		out[i] = j
	}
	return jsonText(out), nil
}

// JSONBObjectAgg builds jsonb_object_agg's object; a later key wins.
func JSONBObjectAgg(keys []string, vals []any, oid types.OID, loc *time.Location) (string, error) {
	obj := make(map[string]any, len(keys))
	for i, k := range keys {
		j, err := toJSONValue(vals[i], oid, loc)
		if err != nil {
			return "", err
		}
		obj[k] = j
	}
	return jsonText(obj), nil
}

// AddInterval adds iv to a timestamp as timestamp + interval does (loc
// is the calendar for timestamptz, UTC for timestamp).
func AddInterval(t time.Time, iv types.Interval, loc *time.Location) (time.Time, error) {
	r, err := addToTime(t, iv, loc)
	if err != nil {
		return time.Time{}, err
	}
	return r.(time.Time), nil
}
