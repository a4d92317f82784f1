package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// chunked returns at most n bytes per Read, as a socket may.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func encodeAll(t *testing.T, msgs ...pgproto3.FrontendMessage) []byte {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			t.Fatalf("encode %T: %v", m, err)
		}
	}
	return b
}

func TestMsgReader(t *testing.T) {
	big := strings.Repeat("x", 3*readBufSize)
	msgs := []pgproto3.FrontendMessage{
		&pgproto3.Query{String: "select 1"},
		&pgproto3.Parse{Name: "s", Query: "select $1", ParameterOIDs: []uint32{25}},
		&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("v")}},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Query{String: big},
		&pgproto3.CopyData{Data: []byte(strings.Repeat("y", idleReadSize))},
		&pgproto3.Terminate{},
	}
	data := encodeAll(t, msgs...)
	for _, chunk := range []int{1, 5, 7, idleReadSize, readBufSize, len(data)} {
		var pools bufPools
		var r msgReader
		r.init(chunked{bytes.NewReader(data), chunk}, &pools, 0)
		for i, want := range msgs {
			if i > 0 && !r.buffered() {
				if err := r.wait(); err != nil {
					t.Fatalf("chunk %d: wait before message %d: %v", chunk, i, err)
				}
			}
			got, err := r.Receive()
			if err != nil {
				t.Fatalf("chunk %d: message %d: %v", chunk, i, err)
			}
			gb, wb := encodeAll(t, got), encodeAll(t, want)
			if !bytes.Equal(gb, wb) {
				t.Fatalf("chunk %d: message %d = %T (%d bytes), want %T (%d bytes)", chunk, i, got, len(gb), want, len(wb))
			}
		}
		if err := r.wait(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("chunk %d: wait at the end = %v, want unexpected EOF", chunk, err)
		}
		if r.buf != nil {
			t.Fatalf("chunk %d: a buffer is still borrowed after everything was read", chunk)
		}
	}
}

func TestMsgReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		max  int
		want string
	}{
		{"short length", []byte{'Q', 0, 0, 0, 3}, 0, "invalid message length: 3"},
		{"unknown type", []byte{'?', 0, 0, 0, 4}, 0, "unknown message type: ?"},
		{"too large", []byte{'Q', 0, 0, 0x10, 0}, 100, "expected at most 100"},
		{"cut body", []byte{'Q', 0, 0, 0, 10, 'a'}, 0, io.ErrUnexpectedEOF.Error()},
		{"bad body", []byte{'S', 0, 0, 0, 5, 'x'}, 0, "must have length of 0"},
	}
	for _, tt := range tests {
		var pools bufPools
		var r msgReader
		r.init(bytes.NewReader(tt.data), &pools, tt.max)
		_, err := r.Receive()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Fatalf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestMsgReaderIdleHoldsNoBuffer checks the point of msgReader: once what
// arrived is consumed, waiting for more holds no borrowed buffer.
func TestMsgReaderIdleHoldsNoBuffer(t *testing.T) {
	data := encodeAll(t, &pgproto3.Query{String: strings.Repeat("z", 2*idleReadSize)})
	pr, pw := io.Pipe()
	go func() {
		pw.Write(data)
		pw.Close()
	}()
	var pools bufPools
	var r msgReader
	r.init(pr, &pools, 0)
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Receive(); err != nil {
		t.Fatal(err)
	}
	if r.buf == nil {
		t.Fatalf("a message larger than the idle buffer was read without borrowing")
	}
	if err := r.wait(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("wait = %v, want unexpected EOF", err)
	}
	if r.buf != nil {
		t.Fatalf("wait holds a borrowed buffer")
	}
}

// TestWaitBusyKeepsOnlySmallBuffer: waitBusy keeps a borrowed buffer of
// the smallest pooled size for the next batch, but gives back a larger one
// left by a big message, so a busy connection does not sit on it.
func TestWaitBusyKeepsOnlySmallBuffer(t *testing.T) {
	small := encodeAll(t, &pgproto3.Query{String: strings.Repeat("s", 2*idleReadSize)})
	big := encodeAll(t, &pgproto3.Query{String: strings.Repeat("b", 3*readBufSize)})
	var pools bufPools
	var r msgReader
	r.init(&batches{small, big, small}, &pools, 0)
	for i, wantLen := range []int{readBufSize, 0} {
		if _, err := r.Receive(); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if err := r.waitBusy(); err != nil {
			t.Fatalf("waitBusy after message %d: %v", i, err)
		}
		got := 0
		if r.buf != nil {
			got = len(*r.buf)
		}
		if got != wantLen {
			t.Fatalf("after message %d the reader holds a %d-byte buffer, want %d", i, got, wantLen)
		}
	}
}

// batches returns one batch per Read, as a client's writes arrive.
type batches [][]byte

func (b *batches) Read(p []byte) (int, error) {
	if len(*b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*b)[0])
	if (*b)[0] = (*b)[0][n:]; len((*b)[0]) == 0 {
		*b = (*b)[1:]
	}
	return n, nil
}
