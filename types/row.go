package types

import (
	"encoding/binary"
	"strings"
	"time"
)

// Row is a record value: a row constructor's fields (NULL as nil) and
// each field's type. It is self-describing because the record type has
// no fixed shape.
type Row struct {
	Vals  []any
	Types []OID
}

// appendRow appends record_out's text: fields quoted when empty or when
// they hold a delimiter, a quote, a backslash or white space; NULL fields
// are empty.
func appendRow(buf []byte, r Row, loc *time.Location) []byte {
	buf = append(buf, '(')
	for i, v := range r.Vals {
		if i > 0 {
			buf = append(buf, ',')
		}
		if v == nil {
			continue
		}
		s := string(AppendText(nil, r.Types[i], v, loc))
		if s != "" && !strings.ContainsAny(s, "\"(),\\ \t\n\r\v\f") {
			buf = append(buf, s...)
			continue
		}
		buf = append(buf, '"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				buf = append(buf, s[j])
			}
			buf = append(buf, s[j])
		}
		buf = append(buf, '"')
	}
	return append(buf, ')')
}

// compareRows is record_cmp: field by field, NULL above every value,
// then the number of fields.
func compareRows(a, b Row) int {
	for i := 0; i < len(a.Vals) && i < len(b.Vals); i++ {
		x, y := a.Vals[i], b.Vals[i]
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		if c := Compare(a.Types[i], x, y); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a.Vals)), int64(len(b.Vals)))
}

// appendRowBinary is record_send: the field count, then each field's type
// OID and length-prefixed binary value (-1 for NULL).
func appendRowBinary(buf []byte, r Row) ([]byte, error) {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.Vals)))
	for i, v := range r.Vals {
		oid := r.Types[i]
		if oid == Unknown {
			oid = Text
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(oid))
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
			continue
		}
		p := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = AppendBinary(buf, oid, v); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[p:], uint32(len(buf)-p-4))
	}
	return buf, nil
}
