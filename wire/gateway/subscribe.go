package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
)

// clientMessage is any message a client sends.
type clientMessage struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	UserID    string          `json:"userId"`
	LastMsgID json.RawMessage `json:"lastMsgId"` // a number, or a string: _seq exceeds 2^53
	Tables    []string        `json:"tables"`
	SQL       string          `json:"sql"`
	Options   struct {
		LastRows *int            `json:"last_rows"`
		FromSeq  json.RawMessage `json:"from_seq"`
	} `json:"options"`
}

// subscription is one subscribe of a connection: the userId form or a
// live query. Its listener buffers live changes until the replay (or the
// initial rows) has been queued, then the writer renders them.
type subscription struct {
	id        string
	prefix    []byte // `{"type":"change","id":"s1",`
	partition string
	listener  *notify.Listener
	tables    []string   // qualified table names passed on, sorted (a map costs an idle subscription more); nil: all
	query     *liveQuery // nil for the userId form
	live      bool       // guarded by wsConn.mu: replay done, the writer renders

	// Dedupe across the switch to live; set before live, then writer only.
	seen      map[string]int64 // row key -> newest _seq already sent
	seenUntil time.Time
}

// handle handles one client message; ctx ends with it or with the
// connection.
func (c *wsConn) handle(ctx context.Context, data []byte) {
	var m clientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.sendError("", pgerr.Wrap(err, pgerr.ProtocolViolation, "invalid message: %v", err))
		return
	}
	switch m.Type {
	case "ping":
		_ = c.send([]byte(`{"type":"pong"}`))
	case "subscribe":
		switch {
		case m.SQL != "":
			c.subscribeQuery(ctx, &m)
		case m.UserID != "":
			c.subscribeUser(ctx, &m)
		default:
			c.sendError(m.ID, pgerr.New(pgerr.ProtocolViolation, `subscribe needs "sql" or "userId"`))
		}
	case "unsubscribe":
		c.unsubscribe(m.ID)
	default:
		c.sendError(m.ID, pgerr.New(pgerr.ProtocolViolation, "unknown message type %q", m.Type))
	}
}

// parseSeq reads a _seq given as a JSON number or string; ok is false when
// it is absent or null.
func parseSeq(raw json.RawMessage) (seq int64, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, err
		}
	}
	seq, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, pgerr.New(pgerr.InvalidParameterValue, "invalid _seq %s: an integer is expected", raw)
	}
	return seq, true, nil
}

// mayReach reports whether the connection's user may see partition: their
// own, or any with service and above (the rule pgwire applies).
func (c *wsConn) mayReach(partition string) error {
	if partition == c.user || c.role >= auth.RoleService {
		return nil
	}
	return pgerr.New(pgerr.InsufficientPrivilege, "permission denied for partition %s: only its owner and service roles may subscribe", partition)
}

// addSub registers a subscription (not yet live) and starts listening on
// its partition's change channel.
func (c *wsConn) addSub(s *subscription) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.failed != nil || c.ending.Load():
		return errShutdown
	case c.sub(s.id) >= 0:
		return pgerr.New(pgerr.DuplicateObject, "subscription %q already exists", s.id)
	case len(c.subs) >= c.g.limits.MaxSubscriptions:
		c.g.metrics.wsRefused.WithLabelValues("subscriptions").Inc()
		return errTooManySubs
	}
	s.prefix = append(appendString([]byte(`{"type":"change","id":`), s.id), ',')
	hub := c.g.db.Hub()
	s.listener = hub.NewListener(c.pid)
	s.listener.SetWake(c.poke)
	hub.Listen(s.listener, s.partition)
	c.subs = append(c.subs, s)
	c.g.metrics.wsSubs.Inc()
	return nil
}

// goLive switches s to live changes after its history was queued.
func (c *wsConn) goLive(s *subscription) {
	if s.seen != nil {
		s.seenUntil = time.Now().Add(c.g.limits.DedupeWindow)
	}
	c.mu.Lock()
	s.live = true
	c.dirty = true
	c.startWriterLocked()
	c.mu.Unlock()
}

// sub returns the index of subscription id in subs, or -1. Called with
// mu held.
func (c *wsConn) sub(id string) int {
	return slices.IndexFunc(c.subs, func(s *subscription) bool { return s.id == id })
}

// dropSub removes a subscription; false when there was none.
func (c *wsConn) dropSub(id string) bool {
	c.mu.Lock()
	i := c.sub(id)
	var s *subscription
	if i >= 0 {
		s = c.subs[i]
		c.subs = slices.Delete(c.subs, i, i+1)
	}
	c.mu.Unlock()
	if s == nil {
		return false
	}
	c.g.db.Hub().UnlistenAll(s.listener)
	c.g.metrics.wsSubs.Dec()
	return true
}

func (c *wsConn) unsubscribe(id string) {
	if !c.dropSub(id) {
		c.sendError(id, pgerr.New(pgerr.UndefinedObject, "subscription %q does not exist", id))
		return
	}
	_ = c.send(append(appendString([]byte(`{"type":"unsubscribed","id":`), id), '}'))
}

// parseTable reads "schema.table" or "table" (in public).
func parseTable(s string) TableName {
	if schema, name, ok := strings.Cut(s, "."); ok {
		return TableName{schema, name}
	}
	return TableName{"public", s}
}

// subscribeUser is the original form: every change of a partition after
// lastMsgId, replayed in _seq order, then live.
func (c *wsConn) subscribeUser(ctx context.Context, m *clientMessage) {
	id := m.ID
	if id == "" {
		id = m.UserID
	}
	after, replay, err := parseSeq(m.LastMsgID)
	if err != nil {
		c.sendError(id, err)
		return
	}
	if err := c.mayReach(m.UserID); err != nil {
		c.g.metrics.wsRefused.WithLabelValues("permission").Inc()
		c.sendError(id, err)
		return
	}
	tables := c.g.tables()
	if len(m.Tables) > 0 {
		tables = tables[:0:0]
		for _, t := range m.Tables {
			tables = append(tables, parseTable(t))
		}
	}
	eng := c.g.db.Engine()
	names := make([]string, 0, len(tables))
	for _, t := range tables {
		// Check the table before subscribing: 42P01, or 42809 for a
		// shared table.
		if err := eng.CheckChangeTable(t.Schema, t.Name); err != nil {
			c.sendError(id, err)
			return
		}
		names = append(names, t.String())
	}
	slices.Sort(names)
	names = slices.Compact(names)
	s := &subscription{id: id, partition: m.UserID, tables: names}
	if err := c.addSub(s); err != nil {
		c.sendError(id, err)
		return
	}
	ack := append(appendString([]byte(`{"type":"subscribed","id":`), id), `,"userId":`...)
	ack = appendString(ack, m.UserID)
	if err := c.send(append(ack, '}')); err != nil {
		return
	}
	if replay {
		s.seen = make(map[string]int64)
		err := replayMerged(ctx, eng, tables, m.UserID, after, c.g.limits.MaxReplayInFlight, func(ch *notify.Change) error {
			s.remember(ch)
			return c.send(append(append([]byte(nil), s.prefix...), ch.AppendJSON(nil, 0)[1:]...))
		})
		if err != nil {
			c.dropSub(id)
			c.sendError(id, err)
			return
		}
	}
	c.goLive(s)
}

// remember records a replayed change for the dedupe across the switch.
func (s *subscription) remember(ch *notify.Change) {
	key := changeKey(ch)
	if old, ok := s.seen[string(key)]; !ok || ch.Seq > old {
		s.seen[string(key)] = ch.Seq
	}
}

func seqKey(table string, seq int64) []byte {
	return strconv.AppendInt(append([]byte(table), 0, '#'), seq, 10)
}

// changeKey identifies a change's row for the dedupe across the switch:
// its table and primary key, or its _seq when the table has no key.
func changeKey(ch *notify.Change) []byte {
	t := ch.Table
	if len(t.Key) == 0 {
		return seqKey(t.Name, ch.Seq)
	}
	key := append([]byte(t.Name), 0)
	for _, i := range t.Key {
		var v any
		if i < len(ch.Row) {
			v = ch.Row[i]
		}
		key = append(notify.AppendValueJSON(key, t.Columns[i].Type, v), 0)
	}
	return key
}

// duplicate reports whether the replay already sent this row at this or a
// newer _seq (writer goroutine).
func (s *subscription) duplicate(ch *notify.Change) bool {
	if s.seen == nil {
		return false
	}
	if time.Now().After(s.seenUntil) {
		s.seen = nil // the switch is long past
		return false
	}
	old, ok := s.seen[string(changeKey(ch))]
	return ok && old >= ch.Seq
}

// wants reports whether changes of table are passed on.
func (s *subscription) wants(table string) bool {
	if s.tables == nil {
		return true
	}
	_, ok := slices.BinarySearch(s.tables, table)
	return ok
}

// render turns a live notification into the message to send, or nil to
// skip it (writer goroutine). Only row changes count: a NOTIFY on the
// user's channel is not one, whatever its payload says.
func (s *subscription) render(n *notify.Notification) []byte {
	ch := n.Change
	if ch == nil || !s.wants(ch.Table.Name) {
		return nil
	}
	if s.duplicate(ch) {
		return nil
	}
	if s.query != nil {
		return s.query.renderChange(s.prefix, ch, true)
	}
	// The whole row, as the replay sends it: a WebSocket message has no
	// NOTIFY's 8000-byte limit.
	return append(append([]byte(nil), s.prefix...), ch.AppendJSON(nil, 0)[1:]...)
}
