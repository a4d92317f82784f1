package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
)

// pendingNotify is the LISTEN/NOTIFY work and the row changes of the open
// transaction (or autocommit statement), applied when it commits and
// dropped when it rolls back.
type pendingNotify struct {
	listens []listenOp
	entries []notify.Entry
	// seen holds the channel+payload pairs queued by NOTIFY: duplicates
	// in one transaction collapse into the first.
	seen map[notifyKey]struct{}
}

type notifyKey struct{ channel, payload string }

// listenOp is a LISTEN, UNLISTEN channel or UNLISTEN * (all).
type listenOp struct {
	channel  string
	unlisten bool
	all      bool
}

// notifyHooks are the session's expression hooks, made once so statements
// do not allocate closures.
type notifyHooks struct {
	notify   func(channel, payload string) error
	channels func() []string
	usage    func() float64
}

func (s *Session) initNotify() {
	s.listener = s.eng.hub.NewListener(s.pid)
	s.hooks = notifyHooks{
		notify:   s.queueNotify,
		channels: s.listener.Channels,
		usage:    s.listener.Usage,
	}
}

// Listener is the session's notification queue, which the front door
// drains (after a command, and while idle outside a transaction).
func (s *Session) Listener() *notify.Listener { return s.listener }

func (s *Session) bindListen(n *pg_query.ListenStmt) (plan, error) {
	return s.listenPlan("LISTEN", listenOp{channel: n.Conditionname}), nil
}

func (s *Session) bindUnlisten(n *pg_query.UnlistenStmt) (plan, error) {
	// The parser leaves the name empty for UNLISTEN *.
	return s.listenPlan("UNLISTEN", listenOp{channel: n.Conditionname, unlisten: true, all: n.Conditionname == ""}), nil
}

// listenPlan queues op for commit, or applies it now outside a
// transaction block.
func (s *Session) listenPlan(tag string, op listenOp) plan {
	return utility(func(context.Context, *execCtx) (*Result, error) {
		if !op.unlisten {
			if err := s.checkChannel(op.channel); err != nil {
				return nil, err
			}
		}
		s.pend.listens = append(s.pend.listens, op)
		if s.tx == nil {
			s.publishPending()
		}
		return tagOnly(tag), nil
	})
}

func (s *Session) bindNotify(n *pg_query.NotifyStmt) (plan, error) {
	channel, payload := n.Conditionname, n.Payload
	return utility(func(context.Context, *execCtx) (*Result, error) {
		if err := s.queueNotify(channel, payload); err != nil {
			return nil, err
		}
		if s.tx == nil {
			s.publishPending()
		}
		return tagOnly("NOTIFY"), nil
	}), nil
}

// queueNotify checks and queues one notification (NOTIFY, pg_notify) for
// commit. Channel names are taken as given: the parser already folded an
// unquoted NOTIFY name, and pg_notify is case-sensitive.
func (s *Session) queueNotify(channel, payload string) error {
	switch {
	case channel == "":
		return pgerr.New(pgerr.InvalidParameterValue, "channel name cannot be empty")
	case len(channel) > notify.MaxChannel:
		return pgerr.New(pgerr.InvalidParameterValue, "channel name too long")
	case len(payload) > notify.MaxPayload:
		return pgerr.New(pgerr.InvalidParameterValue, "payload string too long")
	}
	if err := s.checkChannel(channel); err != nil {
		return err
	}
	k := notifyKey{channel, payload}
	if _, dup := s.pend.seen[k]; dup {
		return nil
	}
	if s.pend.seen == nil {
		s.pend.seen = make(map[notifyKey]struct{})
	}
	s.pend.seen[k] = struct{}{}
	s.pend.entries = append(s.pend.entries, notify.Entry{Channel: channel, Payload: payload})
	return nil
}

// checkChannel guards the change channels: a channel named after a user
// carries that user's row changes, so only the user and service (and
// above) may listen or notify on it. Other names are plain channels.
func (s *Session) checkChannel(channel string) error {
	if channel == s.effUser || s.effRole >= auth.RoleService {
		return nil
	}
	if _, ok := s.eng.cat.User(channel); ok {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied for channel %q: it carries the changes of user %s", channel, channel)
	}
	return nil
}

// publishPending applies the committed transaction's LISTEN/UNLISTEN and
// then publishes its notifications and changes, so a session that listens
// and notifies in one transaction hears itself, as in PostgreSQL.
func (s *Session) publishPending() {
	for _, op := range s.pend.listens {
		switch {
		case op.all:
			s.eng.hub.UnlistenAll(s.listener)
		case op.unlisten:
			s.eng.hub.Unlisten(s.listener, op.channel)
		default:
			s.eng.hub.Listen(s.listener, op.channel)
		}
	}
	s.eng.hub.Publish(s.pid, s.pend.entries)
	s.discardPending()
}

// endNotify publishes the pending work of a committed transaction or
// drops that of a rolled back one.
func (s *Session) endNotify(committed bool) {
	if committed {
		s.publishPending()
	} else {
		s.discardPending()
	}
}

// discardPending drops the work of a rolled back transaction.
func (s *Session) discardPending() {
	clear(s.pend.entries) // drop row references
	s.pend.listens, s.pend.entries = s.pend.listens[:0], s.pend.entries[:0]
	if cap(s.pend.entries) > 1024 {
		s.pend.entries = nil
	}
	if len(s.pend.seen) > 0 {
		s.pend.seen = nil
	}
}

// closeNotify is the implicit UNLISTEN * of a closing session.
func (s *Session) closeNotify() {
	s.discardPending()
	s.eng.hub.UnlistenAll(s.listener)
}
