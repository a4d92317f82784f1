package wire

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Startup packet codes (PostgreSQL's pqcomm.h).
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
	protocolMajor3    = 3

	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
)

// startupPacket is a decoded StartupMessage.
type startupPacket struct {
	minor  uint16
	params map[string]string
	pqOpts []string // "_pq_." protocol options, none of which we support
}

// startup runs the handshake: encryption negotiation, the startup
// message, authentication and the session's initial state. It returns
// false when the connection must end.
func (c *conn) startup() bool {
	c.nc.SetDeadline(time.Now().Add(startupTimeout))
	pkt, ok := c.readStartup()
	if !ok {
		return false
	}
	// From here on messages are typed and length-prefixed, read with the
	// size limit applied.
	c.rd.init(c.nc, &c.s.bufs, c.s.cfg.MaxMessageSize)

	if pkt.minor > 0 || len(pkt.pqOpts) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: pkt.pqOpts})
	}
	user, params, err := sessionParams(pkt.params)
	if err != nil {
		c.sendFatal(toPGError(err))
		return false
	}
	c.user = user
	c.log = c.log.With("user", user)
	if !c.authenticate() {
		return false
	}
	if !c.openSession(params) {
		return false
	}
	// Clear the handshake deadline; a Shutdown that raced with it is seen
	// through ctx below.
	c.nc.SetDeadline(time.Time{})
	return !c.shuttingDown()
}

// readStartup reads startup packets until a StartupMessage arrives,
// answering SSLRequest and GSSENCRequest and serving a CancelRequest.
// Reads are unbuffered so nothing sent before a TLS handshake can be
// mistaken for data sent inside it.
func (c *conn) readStartup() (startupPacket, bool) {
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(c.nc, hdr[:4]); err != nil {
			c.startupReadFailed(err)
			return startupPacket{}, false
		}
		n := int(int32(binary.BigEndian.Uint32(hdr[:4])))
		if n < 8 || n > maxStartupPacket {
			c.log.Info("invalid startup packet", "length", n)
			c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "invalid length of startup packet"))
			return startupPacket{}, false
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(c.nc, body); err != nil {
			c.startupReadFailed(err)
			return startupPacket{}, false
		}
		code := binary.BigEndian.Uint32(body)
		switch code {
		case codeSSLRequest:
			if c.tls {
				c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "SSLRequest received over an encrypted connection"))
				return startupPacket{}, false
			}
			if !c.startTLS() {
				return startupPacket{}, false
			}
		case codeGSSENCRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return startupPacket{}, false
			}
		case codeCancelRequest:
			c.s.cancelRequest(body)
			return startupPacket{}, false
		default:
			if code>>16 != protocolMajor3 {
				c.sendFatal(pgerr.New(pgerr.FeatureNotSupported,
					"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", code>>16, code&0xffff))
				return startupPacket{}, false
			}
			pkt, err := decodeStartup(body)
			if err != nil {
				c.log.Info("invalid startup packet", "err", err)
				c.sendFatal(toPGError(err))
				return startupPacket{}, false
			}
			return pkt, true
		}
	}
}

func (c *conn) startupReadFailed(err error) {
	if c.ctx.Err() != nil {
		c.sendFatal(pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command"))
		return
	}
	// A client that connects and leaves (a port probe, a pool's health
	// check) is not worth more than a debug line.
	c.log.Debug("startup read", "err", err)
}

// startTLS answers an SSLRequest and, when TLS is configured, runs the
// handshake.
func (c *conn) startTLS() bool {
	if c.s.cfg.TLS == nil {
		_, err := c.nc.Write([]byte{'N'})
		return err == nil
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return false
	}
	tc := tls.Server(c.nc, c.s.cfg.TLS)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		c.log.Info("tls handshake", "err", err)
		return false
	}
	c.nc = tc
	c.tls = true
	c.sys = nil
	return true
}

// decodeStartup decodes a StartupMessage body: the protocol version, then
// name/value pairs of NUL-terminated strings, then a NUL.
func decodeStartup(body []byte) (startupPacket, error) {
	code := binary.BigEndian.Uint32(body)
	pkt := startupPacket{minor: uint16(code), params: make(map[string]string)}
	rest := body[4:]
	for {
		if len(rest) == 0 {
			return pkt, pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		if rest[0] == 0 {
			if len(rest) != 1 {
				return pkt, pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
			}
			return pkt, nil
		}
		name, r, ok := cutString(rest)
		if !ok {
			return pkt, pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		value, r, ok := cutString(r)
		if !ok {
			return pkt, pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		rest = r
		if e := checkUTF8(name); e != nil {
			e.Severity = "FATAL"
			return pkt, e
		}
		if e := checkUTF8(value); e != nil {
			e.Severity = "FATAL"
			return pkt, e
		}
		if strings.HasPrefix(name, "_pq_.") {
			pkt.pqOpts = append(pkt.pqOpts, name)
			continue
		}
		pkt.params[name] = value
	}
}

func cutString(b []byte) (s string, rest []byte, ok bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", nil, false
	}
	return string(b[:i]), b[i+1:], true
}

// sessionParams checks the startup parameters and returns the user and
// the parameters for NewSession, with "options" split into entries.
func sessionParams(in map[string]string) (user string, params map[string]string, err error) {
	user = in["user"]
	if user == "" {
		return "", nil, pgerr.New(pgerr.InvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	if r, ok := in["replication"]; ok && !isFalse(r) {
		return "", nil, pgerr.New(pgerr.FeatureNotSupported, "replication connections are not supported")
	}
	params = make(map[string]string, len(in))
	for k, v := range in {
		if k != "user" && k != "options" && k != "replication" {
			params[k] = v
		}
	}
	if params["database"] == "" {
		params["database"] = user // as PostgreSQL defaults it
	}
	opts, err := splitOptions(in["options"])
	if err != nil {
		return "", nil, err
	}
	for k, v := range opts {
		params[k] = v
	}
	return user, params, nil
}

func isFalse(s string) bool {
	switch strings.ToLower(s) {
	case "false", "off", "no", "0", "f", "n":
		return true
	}
	return false
}

// splitOptions reads the "options" startup parameter: command-line
// switches split on whitespace, backslash escaping the next character (as
// pg_split_opts does), of which "-c name=value", "-cname=value" and
// "--name=value" are accepted. A "-" in a name becomes "_", as in
// PostgreSQL.
func splitOptions(s string) (map[string]string, error) {
	words := splitWords(s)
	out := make(map[string]string)
	for i := 0; i < len(words); i++ {
		w := words[i]
		var nv string
		switch {
		case w == "-c":
			if i+1 >= len(words) {
				return nil, pgerr.New(pgerr.SyntaxError, "invalid command-line argument for server process: %s", w)
			}
			i++
			nv = words[i]
		case strings.HasPrefix(w, "--"):
			nv = w[2:]
		case strings.HasPrefix(w, "-c"):
			nv = w[2:]
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "invalid command-line argument for server process: %s", w)
		}
		name, value, ok := strings.Cut(nv, "=")
		if !ok || name == "" {
			if strings.HasPrefix(w, "--") {
				return nil, pgerr.New(pgerr.SyntaxError, "--%s requires a value", nv)
			}
			return nil, pgerr.New(pgerr.SyntaxError, "-c %s requires a value", nv)
		}
		out[strings.ReplaceAll(name, "-", "_")] = value
	}
	return out, nil
}

func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// checkUTF8 returns 22021 for text that is not valid UTF-8, naming the
// first bad sequence as PostgreSQL does.
func checkUTF8(s string) *pgerr.Error {
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	n := utf8SeqLen(s[i])
	if i+n > len(s) {
		n = len(s) - i
	}
	var b strings.Builder
	for j := i; j < i+n; j++ {
		if j > i {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "0x%02x", s[j])
	}
	return pgerr.New(pgerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", b.String())
}

// utf8SeqLen is the length a UTF-8 lead byte announces (pg_utf_mblen).
func utf8SeqLen(b byte) int {
	switch {
	case b&0xe0 == 0xc0:
		return 2
	case b&0xf0 == 0xe0:
		return 3
	case b&0xf8 == 0xf0:
		return 4
	}
	return 1
}
