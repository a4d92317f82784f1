package wire

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// loopbackConn makes a net.Pipe end look like a loopback TCP peer, so the
// fuzzer gets past authentication as root.
type loopbackConn struct{ net.Conn }

func (loopbackConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}
}

func fuzzSeed(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// FuzzConn feeds arbitrary bytes to a connection and checks that the
// handler returns without a panic escaping.
func FuzzConn(f *testing.F) {
	startup := fuzzSeed(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "root"}})
	f.Add(startup)
	f.Add(append(append([]byte(nil), startup...), fuzzSeed(&pgproto3.Query{String: "select 2; insert; fail"}, &pgproto3.Terminate{})...))
	f.Add(append(append([]byte(nil), startup...), fuzzSeed(
		&pgproto3.Parse{Name: "s", Query: "echo $1 $2", ParameterOIDs: []uint32{20}},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, []byte("x")}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "select 3"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Close{ObjectType: 'S'},
		&pgproto3.Flush{}, &pgproto3.Sync{}, &pgproto3.Query{String: "panic"},
	)...))
	f.Add(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, 80877103)) // SSLRequest
	f.Add([]byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 1, 2, 3, 4})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))

	s := NewServer(Config{MaxMessageSize: 4096}, &testBackend{noSleep: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.serveConn(loopbackConn{server})
		}()
		go io.Copy(io.Discard, client)
		client.SetWriteDeadline(time.Now().Add(5 * time.Second))
		client.Write(data)
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("connection handler did not return")
		}
	})
}
