package wire

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

const scramMechanism = "SCRAM-SHA-256"

// authenticate checks the client's identity as DESIGN.md's login rules
// say. It returns false, after telling the client, when it fails.
func (c *conn) authenticate() bool {
	if c.user == "root" && !c.s.backend.RootPasswordSet() {
		// Without a root password, root is trusted from loopback only.
		if c.local {
			return true
		}
		c.log.Info("authentication refused", "reason", "root without a password from a remote host")
		c.sendFatal(pgerr.New(pgerr.InvalidAuthorization,
			"root has no password and may log in only from a loopback connection"))
		return false
	}
	secure := c.tls || c.local
	switch c.s.cfg.Auth {
	case AuthSCRAM:
		return c.authSCRAM()
	case AuthPassword:
		if !secure {
			c.log.Info("authentication refused", "reason", "cleartext password over plain remote TCP")
			c.sendFatal(pgerr.New(pgerr.InvalidAuthorization,
				"password authentication requires SSL or a loopback connection"))
			return false
		}
		return c.authCleartext()
	default:
		if secure {
			return c.authCleartext()
		}
		return c.authSCRAM()
	}
}

// authCleartext asks for a password, which may be the user's password or a
// JWT whose subject is the user.
func (c *conn) authCleartext() bool {
	msg, ok := c.authExchange(&pgproto3.AuthenticationCleartextPassword{}, pgproto3.AuthTypeCleartextPassword)
	if !ok {
		return false
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "expected password response, got %T", msg))
		return false
	}
	pw := pm.Password
	if looksLikeJWT(pw) {
		sub, err := c.s.backend.VerifyToken(pw)
		if err == nil && sub == c.user {
			return true
		}
		// Not a valid token for this user: it may still be a password
		// that happens to look like one.
		if err != nil {
			c.log.Debug("token rejected", "err", err)
		}
	}
	v, exists := c.s.backend.LookupUser(c.user)
	if exists && v != nil && pw != "" && v.Check(pw) {
		return true
	}
	return c.authFailed("password")
}

// authSCRAM runs SCRAM-SHA-256. An unknown user, or one without a password,
// goes through the same exchange against a made-up verifier, so the
// client cannot tell which users exist.
func (c *conn) authSCRAM() bool {
	msg, ok := c.authExchange(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}}, pgproto3.AuthTypeSASL)
	if !ok {
		return false
	}
	initial, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg))
		return false
	}
	if initial.AuthMechanism != scramMechanism {
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "client selected an invalid SASL authentication mechanism"))
		return false
	}
	v, exists := c.s.backend.LookupUser(c.user)
	known := exists && v != nil
	if !known {
		v = auth.MockVerifier(c.s.mockKey, c.user)
	}
	srv := auth.NewSCRAMServer(v)
	serverFirst, err := srv.First(initial.Data)
	if err != nil {
		return c.scramFailed(err)
	}
	msg, ok = c.authExchange(&pgproto3.AuthenticationSASLContinue{Data: serverFirst}, pgproto3.AuthTypeSASLContinue)
	if !ok {
		return false
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "expected SASL response, got %T", msg))
		return false
	}
	serverFinal, err := srv.Final(resp.Data)
	if err != nil {
		return c.scramFailed(err)
	}
	if !known {
		return c.authFailed("scram-sha-256")
	}
	c.send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	return true
}

// scramFailed ends a SCRAM exchange that the auth package refused: a
// malformed message is a protocol violation, anything else a failed login.
func (c *conn) scramFailed(err error) bool {
	if errors.Is(err, auth.ErrMalformedSCRAM) {
		c.log.Info("authentication failed", "method", "scram-sha-256", "err", err)
		c.sendFatal(toPGError(err))
		return false
	}
	c.log.Debug("scram", "err", err)
	return c.authFailed("scram-sha-256")
}

// authExchange sends an authentication request and reads the answer.
func (c *conn) authExchange(req pgproto3.BackendMessage, authType uint32) (pgproto3.FrontendMessage, bool) {
	c.send(req)
	if c.flush() != nil {
		return nil, false
	}
	c.rd.SetAuthType(authType)
	msg, err := c.rd.Receive()
	if err != nil {
		// psql connects once without a password to learn it needs one, so
		// a client leaving here is routine.
		c.readFailed(err)
		return nil, false
	}
	if _, ok := msg.(*pgproto3.Terminate); ok {
		return nil, false
	}
	return msg, true
}

// authFailed reports a failed login without revealing whether the user
// exists.
func (c *conn) authFailed(method string) bool {
	c.log.Info("authentication failed", "method", method)
	c.sendFatal(pgerr.New(pgerr.InvalidPassword, "password authentication failed for user %q", c.user))
	return false
}

// looksLikeJWT reports whether s has a JWT's shape: three non-empty
// base64url parts separated by dots.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			ch := p[i]
			if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '=') {
				return false
			}
		}
	}
	return true
}

// openSession opens the user's session and completes the handshake:
// AuthenticationOk, the reported parameters, BackendKeyData and
// ReadyForQuery.
func (c *conn) openSession(params map[string]string) bool {
	c.s.newKey(c)
	c.log = c.log.With("pid", c.pid)
	sess, err := c.s.backend.NewSession(c.ctx, c.user, c.pid, params)
	if err != nil {
		c.log.Info("session refused", "err", err)
		e := *toPGError(err)
		c.sendFatal(&e)
		return false
	}
	c.sess = sess
	// Before ReadyForQuery: from then on another session may signal this
	// one (pg_terminate_backend), and must find it.
	c.initControl()
	msgs := []pgproto3.BackendMessage{&pgproto3.AuthenticationOk{}}
	for _, p := range c.initialParams(sess.ReportedChanges()) {
		msgs = append(msgs, &pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	msgs = append(msgs,
		&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]},
		&pgproto3.ReadyForQuery{TxStatus: sess.TxStatus()})
	c.send(msgs...)
	c.log.Debug("authenticated")
	return c.flush() == nil
}

// initialParams are the ParameterStatus messages of a new session: the
// protocol's fixed ones, overridden and extended by the session's.
func (c *conn) initialParams(fromSession []sql.Param) []sql.Param {
	superuser := "off"
	if c.user == "root" {
		superuser = "on"
	}
	ps := []sql.Param{
		{Name: "server_version", Value: c.s.cfg.ServerVersion},
		{Name: "server_encoding", Value: "UTF8"},
		{Name: "client_encoding", Value: "UTF8"},
		{Name: "DateStyle", Value: "ISO, MDY"},
		{Name: "integer_datetimes", Value: "on"},
		{Name: "standard_conforming_strings", Value: "on"},
		{Name: "IntervalStyle", Value: "postgres"},
		{Name: "TimeZone", Value: "UTC"},
		{Name: "is_superuser", Value: superuser},
		{Name: "session_authorization", Value: c.user},
	}
next:
	for _, p := range fromSession {
		for i := range ps {
			if strings.EqualFold(ps[i].Name, p.Name) {
				ps[i].Value = p.Value
				continue next
			}
		}
		ps = append(ps, p)
	}
	return ps
}
