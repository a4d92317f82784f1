package wire

import (
	"crypto/subtle"
	"encoding/binary"
)

// cancelRequest serves a CancelRequest packet body (code, pid, secret):
// when pid and secret match a connection, its running statement is
// canceled. Like PostgreSQL, it answers nothing either way, so a wrong
// guess learns nothing.
func (s *Server) cancelRequest(body []byte) {
	if len(body) < 12 {
		s.log.Info("invalid cancel request", "length", len(body))
		return
	}
	pid := binary.BigEndian.Uint32(body[4:8])
	secret := body[8:]
	c := s.lookupPID(pid)
	if c == nil {
		s.log.Info("cancel request for unknown pid", "pid", pid)
		return
	}
	if subtle.ConstantTimeCompare(secret, c.secret[:]) != 1 {
		s.log.Info("cancel request with wrong key", "pid", pid)
		return
	}
	s.log.Debug("cancel request", "pid", pid)
	c.cancelStatement()
}
