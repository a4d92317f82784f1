package notify

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/types"
)

// AppendValueJSON appends v, a value of type t as package types represents
// it, as JSON: numbers as numbers (NaN and infinities as strings, as
// PostgreSQL's to_json does), json and jsonb as themselves, timestamptz in
// RFC 3339 (UTC), timestamp as RFC 3339 without an offset, date as
// YYYY-MM-DD, bytea as base64, arrays as arrays, NULL as null and anything
// else as its PostgreSQL text in a string.
func AppendValueJSON(buf []byte, t types.Type, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendJSONString(buf, string(types.AppendText(nil, t.OID, x, nil)))
		}
		return types.AppendText(buf, t.OID, x, nil)
	case *apd.Decimal:
		if x.Form != apd.Finite {
			return appendJSONString(buf, string(types.AppendText(nil, t.OID, x, nil)))
		}
		return types.AppendText(buf, t.OID, x, nil)
	case string:
		if (t.OID == types.JSON || t.OID == types.JSONB) && json.Valid([]byte(x)) {
			return append(buf, x...)
		}
		return appendJSONString(buf, x)
	case []byte:
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, x)
		return append(buf, '"')
	case time.Time:
		switch t.OID {
		case types.Date:
			return appendJSONString(buf, x.Format(time.DateOnly))
		case types.Time:
			return appendJSONString(buf, x.Format("15:04:05.999999"))
		case types.Timestamp:
			return appendJSONString(buf, x.Format("2006-01-02T15:04:05.999999"))
		}
		return appendJSONString(buf, x.UTC().Format(time.RFC3339Nano))
	case []any:
		elem := types.Of(types.ElemOf(t.OID))
		if elem.OID == 0 {
			elem = types.Of(types.Text)
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendValueJSON(buf, elem, e)
		}
		return append(buf, ']')
	}
	return appendJSONString(buf, string(types.AppendText(nil, t.OID, v, time.UTC)))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD as encoding/json does.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
