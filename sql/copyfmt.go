package sql

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// copySignature starts every binary COPY stream.
const copySignature = "PGCOPY\n\xff\r\n\x00"

// maxCopyField bounds one binary field, so a corrupt length cannot make
// us allocate gigabytes.
const maxCopyField = 256 << 20

// copyField is one field of one input row.
type copyField struct {
	text string // text and CSV
	raw  []byte // binary
	null bool
}

// copyDecoder reads rows of COPY FROM input one at a time, so memory is
// bounded by the longest row rather than the input.
type copyDecoder struct {
	r       *bufio.Reader
	opts    copyOptions
	ncols   int
	names   []string // column names, for "missing data" errors
	line    int64    // current line (text, CSV) or tuple (binary), 1-based
	started bool
	rec     []byte
	fields  []copyField
}

func newCopyDecoder(r *bufio.Reader, opts copyOptions, names []string) *copyDecoder {
	return &copyDecoder{r: r, opts: opts, ncols: len(names), names: names}
}

func badCopy(format string, args ...any) error {
	return pgerr.New(codeBadCopyFileFormat, format, args...)
}

// next returns the next row's fields, or io.EOF at the end of the data.
// The fields are valid until the next call.
func (d *copyDecoder) next() ([]copyField, error) {
	if d.opts.format == copyBinary {
		return d.nextBinary()
	}
	if !d.started {
		d.started = true
		if d.opts.header {
			if _, err := d.record(); err != nil {
				return nil, err
			}
		}
	}
	rec, err := d.record()
	if err != nil {
		return nil, err
	}
	if d.opts.format == copyCSV {
		d.fields, err = d.splitCSV(rec)
	} else {
		d.fields, err = d.splitText(rec)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case len(d.fields) > d.ncols:
		return nil, badCopy("extra data after last expected column")
	case len(d.fields) < d.ncols:
		if d.ncols > 0 && len(d.fields) == 0 {
			return nil, badCopy("missing data for column \"%s\"", d.names[0])
		}
		return nil, badCopy("missing data for column \"%s\"", d.names[len(d.fields)])
	}
	return d.fields, nil
}

// readLine returns the next line without its line ending, io.EOF at the
// end of the input.
func (d *copyDecoder) readLine() ([]byte, error) {
	d.rec = d.rec[:0]
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.rec = append(d.rec, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(d.rec) == 0 {
				return nil, io.EOF
			}
			return d.rec, nil
		}
		if err != nil {
			return nil, err
		}
		return d.rec, nil
	}
}

// record returns the next record: one line, or in CSV as many lines as a
// quoted field spans. It ends at the "\." marker.
func (d *copyDecoder) record() ([]byte, error) {
	line, err := d.readLine()
	if err != nil {
		return nil, err
	}
	d.line++
	if d.opts.format == copyCSV {
		for csvOpenQuote(line, d.opts) {
			more, err := d.r.ReadSlice('\n')
			if len(more) == 0 && err == io.EOF {
				return nil, badCopy("unterminated CSV quoted field")
			}
			line = append(line, more...)
			d.rec = line
			if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
				return nil, err
			}
		}
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if string(line) == `\.` {
		return nil, io.EOF
	}
	return line, nil
}

// csvOpenQuote reports whether rec ends inside a quoted field.
func csvOpenQuote(rec []byte, o copyOptions) bool {
	in := false
	for i := 0; i < len(rec); i++ {
		c := rec[i]
		switch {
		case in && c == o.escape && i+1 < len(rec) && (rec[i+1] == o.quote || rec[i+1] == o.escape) && (o.escape != o.quote || rec[i+1] == o.quote):
			i++
		case c == o.quote:
			in = !in
		}
	}
	return in
}

// splitText splits a text-format line: delimiter-separated, backslash
// escapes, the NULL string compared before unescaping.
func (d *copyDecoder) splitText(line []byte) ([]copyField, error) {
	fields := d.fields[:0]
	if len(line) == 0 && d.ncols == 0 {
		return fields, nil
	}
	start := 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] == '\\' {
			i++
			continue
		}
		if i < len(line) && line[i] != d.opts.delim {
			continue
		}
		raw := line[start:min(i, len(line))]
		start = i + 1
		if string(raw) == d.opts.null {
			fields = append(fields, copyField{null: true})
			continue
		}
		fields = append(fields, copyField{text: unescapeCopyText(raw)})
	}
	return fields, nil
}

func unescapeCopyText(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			out = append(out, c)
			continue
		}
		i++
		switch c = raw[i]; c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(raw) && raw[i+1] >= '0' && raw[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(raw[i]-'0')
			}
			out = append(out, byte(v))
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(raw) && isHex(raw[i+1]) {
				i++
				v = v*16 + hexVal(raw[i])
				n++
			}
			if n == 0 {
				out = append(out, 'x')
			} else {
				out = append(out, byte(v))
			}
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// splitCSV splits one CSV record. An unquoted field equal to the NULL
// string is NULL; a quoted one never is.
func (d *copyDecoder) splitCSV(rec []byte) ([]copyField, error) {
	o := d.opts
	fields := d.fields[:0]
	if len(rec) == 0 && d.ncols == 1 && o.null == "" {
		return append(fields, copyField{null: true}), nil
	}
	if len(rec) == 0 && d.ncols == 0 {
		return fields, nil
	}
	var val []byte
	quoted, in := false, false
	for i := 0; ; i++ {
		if i == len(rec) || (!in && rec[i] == o.delim) {
			if !quoted && string(val) == o.null {
				fields = append(fields, copyField{null: true})
			} else {
				fields = append(fields, copyField{text: string(val)})
			}
			if i == len(rec) {
				break
			}
			val, quoted = val[:0], false
			continue
		}
		c := rec[i]
		switch {
		case in && c == o.escape && i+1 < len(rec) && (rec[i+1] == o.quote || rec[i+1] == o.escape) && (o.escape != o.quote || rec[i+1] == o.quote):
			i++
			val = append(val, rec[i])
		case c == o.quote:
			in, quoted = !in, true
		default:
			val = append(val, c)
		}
	}
	if in {
		return nil, badCopy("unterminated CSV quoted field")
	}
	return fields, nil
}

func (d *copyDecoder) nextBinary() ([]copyField, error) {
	if !d.started {
		d.started = true
		var hdr [len(copySignature) + 8]byte
		if _, err := io.ReadFull(d.r, hdr[:]); err != nil {
			return nil, badCopy("COPY file signature not recognized")
		}
		if string(hdr[:len(copySignature)]) != copySignature {
			return nil, badCopy("COPY file signature not recognized")
		}
		ext := binary.BigEndian.Uint32(hdr[len(copySignature)+4:])
		if _, err := io.CopyN(io.Discard, d.r, int64(ext)); err != nil {
			return nil, badCopy("invalid COPY file header (wrong length)")
		}
	}
	var b [4]byte
	if _, err := io.ReadFull(d.r, b[:2]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, d.binaryErr(err)
	}
	d.line++
	count := int16(binary.BigEndian.Uint16(b[:2]))
	if count == -1 {
		return nil, io.EOF
	}
	if int(count) != d.ncols {
		return nil, badCopy("row field count is %d, expected %d", count, d.ncols)
	}
	fields := d.fields[:0]
	for range int(count) {
		if _, err := io.ReadFull(d.r, b[:]); err != nil {
			return nil, d.binaryErr(err)
		}
		n := int32(binary.BigEndian.Uint32(b[:]))
		if n == -1 {
			fields = append(fields, copyField{null: true})
			continue
		}
		if n < 0 || n > maxCopyField {
			return nil, badCopy("invalid field size")
		}
		raw := make([]byte, n)
		if _, err := io.ReadFull(d.r, raw); err != nil {
			return nil, d.binaryErr(err)
		}
		fields = append(fields, copyField{raw: raw})
	}
	d.fields = fields
	return fields, nil
}

func (d *copyDecoder) binaryErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badCopy("unexpected EOF in COPY data")
	}
	return err
}

// value converts a non-NULL field to a value of column type t.
func (d *copyDecoder) value(f copyField, t types.Type, loc *time.Location) (any, error) {
	if d.opts.format != copyBinary {
		return types.ParseText(t, f.text, loc)
	}
	v, err := types.ParseBinary(t.OID, f.raw)
	if err != nil {
		if _, ok := pgerr.As(err); ok {
			return nil, err
		}
		return nil, pgerr.Wrap(err, pgerr.InvalidBinaryRepresentation, "incorrect binary data format")
	}
	if t.Mod >= 0 {
		return types.CastAssign(v, types.Of(t.OID), t, loc)
	}
	return v, nil
}

// copyEncoder writes rows in a COPY TO format.
type copyEncoder struct {
	opts        copyOptions
	cols        []Column
	loc         *time.Location
	floatDigits int
	scratch     []byte
}

func (e *copyEncoder) start(buf []byte) []byte {
	switch {
	case e.opts.format == copyBinary:
		buf = append(buf, copySignature...)
		return append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	case e.opts.header:
		for i, c := range e.cols {
			if i > 0 {
				buf = append(buf, e.opts.delim)
			}
			buf = e.field(buf, []byte(c.Name))
		}
		buf = append(buf, '\n')
	}
	return buf
}

func (e *copyEncoder) end(buf []byte) []byte {
	if e.opts.format == copyBinary {
		return append(buf, 0xff, 0xff)
	}
	return buf
}

func (e *copyEncoder) row(buf []byte, row []any) ([]byte, error) {
	if e.opts.format == copyBinary {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(row)))
		for i, v := range row {
			if v == nil {
				buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
				continue
			}
			at := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			var err error
			if buf, err = types.AppendBinary(buf, e.cols[i].Type.OID, v); err != nil {
				return nil, err
			}
			binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
		}
		return buf, nil
	}
	for i, v := range row {
		if i > 0 {
			buf = append(buf, e.opts.delim)
		}
		if v == nil {
			buf = append(buf, e.opts.null...)
			continue
		}
		oid := e.cols[i].Type.OID
		e.scratch = e.scratch[:0]
		if f, ok := v.(float64); ok && e.floatDigits < 1 {
			e.scratch = types.AppendFloatText(e.scratch, oid, f, e.floatDigits)
		} else {
			e.scratch = types.AppendText(e.scratch, oid, v, e.loc)
		}
		buf = e.field(buf, e.scratch)
	}
	return append(buf, '\n'), nil
}

// field appends one non-NULL value, escaped (text) or quoted (CSV).
func (e *copyEncoder) field(buf, v []byte) []byte {
	o := e.opts
	if o.format == copyCSV {
		need := string(v) == o.null || bytes.HasPrefix(v, []byte(`\.`))
		for _, c := range v {
			if c == o.delim || c == o.quote || c == '\n' || c == '\r' {
				need = true
				break
			}
		}
		if !need {
			return append(buf, v...)
		}
		buf = append(buf, o.quote)
		for _, c := range v {
			if c == o.quote || c == o.escape {
				buf = append(buf, o.escape)
			}
			buf = append(buf, c)
		}
		return append(buf, o.quote)
	}
	for _, c := range v {
		switch c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\v':
			buf = append(buf, '\\', 'v')
		default:
			if c == o.delim {
				buf = append(buf, '\\')
			}
			buf = append(buf, c)
		}
	}
	return buf
}
