package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A WebSocket served through net/http costs each connection net/http's
// 4 KiB read and write buffers, dropped at the hijack (memory that stays
// in the process until a collection): more than an idle subscriber keeps
// for itself. So the gateway looks at the first request of each new
// connection (Listener) and answers a WebSocket upgrade of /ws itself,
// parsing the request from a small pooled buffer; everything else goes to
// net/http untouched.

// sniffBuffer holds a connection's first request head: an upgrade with
// its token fits; a longer head goes to net/http, which takes any size.
const sniffBuffer = 2048

var sniffReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, sniffBuffer) }}

// Listener wraps the HTTP listener (plain or TLS) for the HTTP server.
func (g *Gateway) Listener(ln net.Listener) net.Listener {
	l := &sniffListener{Listener: ln, g: g, conns: make(chan net.Conn), errs: make(chan error), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

type sniffListener struct {
	net.Listener
	g     *Gateway
	conns chan net.Conn // for net/http
	errs  chan error
	done  chan struct{}
	once  sync.Once
}

func (l *sniffListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.errs <- err: // net/http retries temporary errors and stops on others
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		go l.sniff(c)
	}
}

func (l *sniffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *sniffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// sniff serves c's first request itself when it is a WebSocket upgrade of
// /ws, and hands c to net/http otherwise.
func (l *sniffListener) sniff(c net.Conn) {
	br := sniffReaders.Get().(*bufio.Reader)
	br.Reset(c)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // as the server's ReadHeaderTimeout
	head, ok := peekHead(br)
	if !ok || !isUpgradeHead(head) {
		_ = c.SetReadDeadline(time.Time{})
		if !ok && br.Buffered() == 0 {
			// Nothing came, or the client left: net/http reports it as it
			// would have.
			br.Reset(nil)
			sniffReaders.Put(br)
			l.handOver(c)
			return
		}
		l.handOver(&prefixConn{Conn: c, r: br, wait: &l.g.keepAlive, ka: l.g.keepAlive.newConn()})
		return
	}
	req, err := http.ReadRequest(br)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return
	}
	req.RemoteAddr = c.RemoteAddr().String()
	w := &rawResponse{conn: c, br: br, header: make(http.Header)}
	l.g.handleWS(w, req)
	if !w.hijacked {
		w.finish()
		c.Close()
	}
	// A hijack took the buffered input into the connection's own reader
	// (smallBuffers): the sniffing buffer goes back either way.
	br.Reset(nil)
	sniffReaders.Put(br)
}

func (l *sniffListener) handOver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// peekHead returns the request head (through the blank line) without
// consuming it, or false when it does not fit the buffer or the client
// stopped.
func peekHead(br *bufio.Reader) ([]byte, bool) {
	for n := 1; ; n = br.Buffered() + 1 {
		_, err := br.Peek(n) // waits for more than is buffered
		b, _ := br.Peek(br.Buffered())
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			return b[:i+4], true
		}
		if err != nil || br.Buffered() >= br.Size() {
			return nil, false
		}
	}
}

// isUpgradeHead reports whether head is a GET of /ws asking for a
// WebSocket; the handler checks the rest as for any request.
func isUpgradeHead(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("GET /ws?")) && !bytes.HasPrefix(head, []byte("GET /ws ")) {
		return false
	}
	const want = "upgrade: websocket"
	for len(head) > 0 {
		i := bytes.Index(head, []byte("\r\n"))
		if i < 0 {
			break
		}
		if line := head[:i]; len(line) >= len(want) && bytes.EqualFold(line[:len(want)], []byte(want)) {
			return true
		}
		head = head[i+2:]
	}
	return false
}

// prefixConn is a connection whose first bytes were read into r; later
// reads may first wait in poll(2) (keepalive.go).
type prefixConn struct {
	net.Conn
	r    *bufio.Reader // nil once drained
	wait *keepAliveWait
	ka   kaConn
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			c.wait.read(&c.ka)
			return c.r.Read(p)
		}
		c.r = nil
	}
	c.wait.before(c.Conn, p, &c.ka)
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.wait.read(&c.ka)
	}
	return n, err
}

// rawResponse is the http.ResponseWriter of a request served off
// net/http: a refusal is written whole at the end, with the connection
// then closed; a 101 is written at the hijack.
type rawResponse struct {
	conn     net.Conn
	br       *bufio.Reader
	header   http.Header
	code     int
	body     []byte
	hijacked bool
}

func (w *rawResponse) Header() http.Header { return w.header }

func (w *rawResponse) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *rawResponse) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// writeHead writes the status line and the header, built in a pooled
// buffer: every connection writes one.
func (w *rawResponse) writeHead(extra string) error {
	b := msgBufs.Get().(*bytes.Buffer)
	b.Reset()
	defer msgBufs.Put(b)
	b.WriteString("HTTP/1.1 ")
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(w.code), 10))
	b.WriteByte(' ')
	b.WriteString(http.StatusText(w.code))
	b.WriteString("\r\n")
	for k, vs := range w.header {
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(": ")
			if strings.ContainsAny(v, "\r\n") { // kept on its line, as net/http does
				v = strings.Map(func(r rune) rune {
					if r == '\r' || r == '\n' {
						return ' '
					}
					return r
				}, v)
			}
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	b.WriteString(extra)
	b.WriteString("\r\n")
	_, err := w.conn.Write(b.Bytes())
	return err
}

// finish writes a response that was not a hijack.
func (w *rawResponse) finish() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if w.writeHead("Content-Length: "+strconv.Itoa(len(w.body))+"\r\nConnection: close\r\n") == nil {
		_, _ = w.conn.Write(w.body)
	}
}

// Hijack hands the connection to the WebSocket library after writing the
// 101 it set up.
func (w *rawResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.code != http.StatusSwitchingProtocols {
		return nil, nil, errors.New("hijack without 101 Switching Protocols")
	}
	if err := w.writeHead(""); err != nil {
		return nil, nil, err
	}
	w.hijacked = true
	return w.conn, bufio.NewReadWriter(w.br, nil), nil
}
