package expr

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// resolveNotify resolves the LISTEN/NOTIFY functions: pg_notify,
// pg_listening_channels (its channels as one text[] value: set-returning
// functions are not supported, so it cannot return one row per channel)
// and pg_notification_queue_usage.
func (c *compiler) resolveNotify(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "pg_notify":
		conv, ok, err := c.sig(args, tText, tText)
		if err != nil || !ok {
			return nil, nil, err
		}
		// Not strict: a NULL channel is an empty one (an error) and a NULL
		// payload an empty payload, as in PostgreSQL.
		return &builtin{ret: types.Void, lenient: true, volatile: true, fn: func(env *Env, vals []any) (any, error) {
			channel, _ := vals[0].(string)
			payload, _ := vals[1].(string)
			if env == nil || env.Notify == nil {
				return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "pg_notify() is not available here")
			}
			if err := env.Notify(channel, payload); err != nil {
				return nil, err
			}
			return "", nil
		}}, conv, nil
	case "pg_listening_channels":
		if len(args) != 0 {
			return nil, nil, nil
		}
		return &builtin{ret: types.TextArray, volatile: true, fn: func(env *Env, _ []any) (any, error) {
			out := []any{}
			if env != nil && env.ListeningChannels != nil {
				for _, ch := range env.ListeningChannels() {
					out = append(out, ch)
				}
			}
			return out, nil
		}}, args, nil
	case "pg_notification_queue_usage":
		if len(args) != 0 {
			return nil, nil, nil
		}
		return &builtin{ret: types.Float8, volatile: true, fn: func(env *Env, _ []any) (any, error) {
			if env == nil || env.NotificationQueueUsage == nil {
				return 0.0, nil
			}
			return env.NotificationQueueUsage(), nil
		}}, args, nil
	}
	return nil, nil, nil
}
