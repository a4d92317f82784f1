package types

import (
	"bytes"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL values of the same type oid: -1, 0 or +1.
// Text compares in byte order (the C collation); floats and numerics sort
// NaN above every number and equal to itself; character(n) ignores
// trailing spaces; jsonb uses jsonb's own order; intervals compare as
// total time with 30-day months.
func Compare(oid OID, a, b any) int {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmpInt(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			switch oid {
			case Bpchar:
				return strings.Compare(rtrimSpaces(x), rtrimSpaces(y))
			case JSONB:
				return compareJSONB(x, y)
			}
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return compareFloat(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmpBool(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case *apd.Decimal:
		if y, ok := b.(*apd.Decimal); ok {
			return compareNumeric(x, y)
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	case UUID:
		if y, ok := b.(UUID); ok {
			return bytes.Compare(x[:], y[:])
		}
	case Interval:
		if y, ok := b.(Interval); ok {
			return compareInterval(x, y)
		}
	case []any:
		if y, ok := b.([]any); ok {
			return compareArrays(ElemOf(oid), x, y)
		}
	case Row:
		if y, ok := b.(Row); ok {
			return compareRows(x, y)
		}
	}
	// Mismatched representations: order by kind so sorting stays total.
	return cmpInt(int64(kindRank(a)), int64(kindRank(b)))
}

func kindRank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case int64:
		return 2
	case float64:
		return 3
	case *apd.Decimal:
		return 4
	case string:
		return 5
	case []byte:
		return 6
	case time.Time:
		return 7
	case UUID:
		return 8
	case Interval:
		return 9
	case []any:
		return 10
	}
	return 11
}

// compareFloat is float8_cmp: NaN equals NaN and sorts above everything,
// -0 equals 0.
func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
