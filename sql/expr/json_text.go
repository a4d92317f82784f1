package expr

import (
	"bytes"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// The json type (unlike jsonb) keeps the text it was built from, so the
// json-returning constructors print as PostgreSQL's do: json values are
// copied verbatim, objects are written `{"k" : v}`, arrays built from SQL
// arrays have no space after the commas.

// writeJSONDatum appends a SQL value of type oid as json text.
func writeJSONDatum(b *bytes.Buffer, v any, oid types.OID, loc *time.Location) error {
	if v == nil {
		b.WriteString("null")
		return nil
	}
	if oid == types.JSON {
		b.WriteString(v.(string))
		return nil
	}
	if arr, ok := v.([]any); ok && types.ElemOf(oid) != 0 {
		elem := types.ElemOf(oid)
		b.WriteByte('[')
		for i, e := range arr {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSONDatum(b, e, elem, loc); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	j, err := toJSONValue(v, oid, loc)
	if err != nil {
		return err
	}
	writeJSON(b, j)
	return nil
}

// jsonDatumText is writeJSONDatum into a new string.
func jsonDatumText(v any, oid types.OID, loc *time.Location) (string, error) {
	var b bytes.Buffer
	err := writeJSONDatum(&b, v, oid, loc)
	return b.String(), err
}

// buildJSONText is json_build_object, json_build_array and to_json.
func buildJSONText(name, base string, v []any, oids []types.OID, loc *time.Location) (any, error) {
	var b bytes.Buffer
	switch base {
	case "build_object":
		if len(v)%2 != 0 {
			e := pgerr.New(pgerr.InvalidParameterValue, "argument list must have even number of elements")
			e.Hint = "The arguments of " + name + "() must consist of alternating keys and values."
			return nil, e
		}
		b.WriteByte('{')
		for i := 0; i < len(v); i += 2 {
			if v[i] == nil {
				return nil, pgerr.New("22004", "argument %d: key must not be null", i+1)
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(&b, toText(v[i], oids[i], loc))
			b.WriteString(" : ")
			if err := writeJSONDatum(&b, v[i+1], oids[i+1], loc); err != nil {
				return nil, err
			}
		}
		b.WriteByte('}')
	case "build_array":
		b.WriteByte('[')
		for i := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeJSONDatum(&b, v[i], oids[i], loc); err != nil {
				return nil, err
			}
		}
		b.WriteByte(']')
	default:
		if err := writeJSONDatum(&b, v[0], oids[0], loc); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

// JSONAgg builds json_agg's array from values of type oid.
func JSONAgg(vals []any, oid types.OID, loc *time.Location) (string, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeJSONDatum(&b, v, oid, loc); err != nil {
			return "", err
		}
	}
	b.WriteByte(']')
	return b.String(), nil
}

// JSONObjectAgg builds json_object_agg's object; unlike jsonb it keeps
// every pair, duplicates included, in input order.
func JSONObjectAgg(keys []string, vals []any, oid types.OID, loc *time.Location) (string, error) {
	var b bytes.Buffer
	b.WriteString("{ ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writeJSONString(&b, k)
		b.WriteString(" : ")
		if err := writeJSONDatum(&b, vals[i], oid, loc); err != nil {
			return "", err
		}
	}
	b.WriteString(" }")
	return b.String(), nil
}
