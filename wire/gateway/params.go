package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// decodeParams converts the JSON parameters of a request to the types the
// statement inferred for them.
func decodeParams(oids []types.OID, raws []json.RawMessage) ([]any, error) {
	if len(raws) != len(oids) {
		return nil, pgerr.New(pgerr.ProtocolViolation, "the request supplies %d parameters, but the statement requires %d", len(raws), len(oids))
	}
	out := make([]any, len(raws))
	for i, raw := range raws {
		v, err := decodeParam(oids[i], raw)
		if err != nil {
			code := pgerr.InvalidTextRepresentation
			if e, ok := pgerr.As(err); ok {
				code = e.Code
			}
			return nil, pgerr.Wrap(err, code, "parameter $%d: %s", i+1, err.Error())
		}
		out[i] = v
	}
	return out, nil
}

// decodeParam converts one JSON value to a value of type oid: null is
// NULL; a string goes through the type's text input (base64 for bytea, the
// inverse of the result encoding); a JSON array fills an array type
// element-wise; any other JSON value (numbers, booleans, objects, arrays
// for json/jsonb) goes through the text input as its JSON text.
func decodeParam(oid types.OID, raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "empty JSON value")
	}
	if oid == 0 || oid == types.Unknown {
		oid = types.Text
	}
	t := types.Of(oid)
	switch raw[0] {
	case 'n':
		if string(raw) == "null" {
			return nil, nil
		}
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid JSON string")
		}
		if oid == types.Bytea {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "bytea parameters are base64: %v", err)
			}
			return b, nil
		}
		if oid == types.JSON || oid == types.JSONB {
			// A JSON string is a json value too: keep its quotes.
			return types.ParseText(t, string(raw), time.UTC)
		}
		return types.ParseText(t, s, time.UTC)
	case '[':
		if elem := types.ElemOf(oid); elem != 0 {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid JSON array")
			}
			out := make([]any, len(items))
			for i, item := range items {
				v, err := decodeParam(elem, item)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}
	}
	if !json.Valid(raw) {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid JSON value")
	}
	return types.ParseText(t, string(raw), time.UTC)
}
