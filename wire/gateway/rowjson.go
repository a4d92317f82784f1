package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// valueFromJSON reads back a value that notify.AppendValueJSON wrote for
// type t (the inverse the live-query filter needs): numbers and booleans
// natively, json/jsonb from their JSON text, bytea from base64, arrays
// element-wise, and every string through the type's text input (which
// reads the RFC 3339 forms of timestamps and dates).
func valueFromJSON(t types.Type, raw []byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "empty JSON value")
	}
	if string(raw) == "null" {
		return nil, nil
	}
	switch t.OID {
	case types.JSON, types.JSONB:
		return types.ParseText(t, string(raw), time.UTC)
	case types.Bool:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	case types.Int2, types.Int4, types.Int8:
		if raw[0] != '"' {
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid integer %s", raw)
			}
			return n, nil
		}
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid JSON string")
		}
		if t.OID == types.Bytea {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid base64")
			}
			return b, nil
		}
		return types.ParseText(t, s, time.UTC)
	case '[':
		elem := types.ElemOf(t.OID)
		if elem == 0 {
			elem = types.Text
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid JSON array")
		}
		out := make([]any, len(items))
		for i, item := range items {
			v, err := valueFromJSON(types.Of(elem), item)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case '{':
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "a JSON object is not a %s", types.NameOf(t))
	}
	// A bare number (or boolean) of a numeric or other type.
	if !json.Valid(raw) {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid JSON value %q", raw)
	}
	return types.ParseText(t, string(raw), time.UTC)
}
