// Package gateway is KalamDB's HTTP and WebSocket front door. It runs SQL
// through the same sql.Session as the PostgreSQL protocol, so identity,
// partitions and permissions are decided in one place.
//
// Endpoints (Gateway is an http.Handler):
//
//	POST /api/v1/query   (alias /v1/api/sql)  {"sql": "...", "params": [...]}
//	GET  /ws             WebSocket: subscriptions and live queries
//	GET  /healthz        "ok"
//	GET  /metrics        Prometheus text format, from the Gateway's own registry
//	GET  /               the demo page, when Config.Demo is set
//
// Every request carries a JWT (Authorization: Bearer, or ?token= for /ws).
//
// # HTTP results
//
// A body may hold several statements; they run as one implicit transaction
// (as psql -c does). With params it must hold exactly one statement, whose
// parameter types are inferred by the server; each JSON value is converted
// to that type (strings and numbers through PostgreSQL's text input,
// objects and arrays as json for json/jsonb, arrays element-wise for array
// types). Result values are JSON natives: numbers (NaN and infinities as
// strings), booleans, json/jsonb as themselves, timestamptz as RFC 3339 in
// UTC, timestamp as RFC 3339 without offset, date as YYYY-MM-DD, bytea as
// base64, arrays as arrays, anything else as its PostgreSQL text. The
// encoder is notify.AppendValueJSON, shared with change payloads. Errors
// carry their SQLSTATE and the HTTP status of httpStatus, the one place
// that mapping lives.
//
// # WebSocket
//
// One connection has two goroutines, each only while it has work: the
// reader (wspark.go; an idle connection is parked on an epoll poller
// instead), which hands each client message to a short-lived goroutine
// that handles it and runs replays and initial queries, and the writer,
// which drains the subscriptions' notify.Listeners into a bounded send
// queue and writes it. Pings and pongs, the server's and the client's, are
// read and written by the gateway itself so that they never keep a
// goroutine, and frames are gathered in pooled buffers only while they are
// written (wsframe.go): an idle subscriber keeps 16-byte buffers only. Nor
// does it keep a context or a timer: one ticker pings every connection
// (pingLoop), the gateway's context ends them all with one callback
// (endConns), and only a client message being handled has a context of
// its own. Live changes never block a publisher: when the send queue would
// exceed Limits.SendQueue messages or
// Limits.SendQueueBytes, or a write takes longer than Limits.WriteTimeout,
// or a listener's own queue overflows, the client gets an error (54000) and
// the connection is closed. Replays and initial rows wait for room instead
// (backpressure), and meanwhile live changes of that subscription wait in
// its listener.
//
// A subscription listens on its partition's change channel before it
// replays (or queries the initial rows), then switches to live changes,
// skipping a live change when the replay already sent the same row at the
// same or a newer _seq (notify's package comment explains why seq order is
// not commit order). That comparison is kept for Limits.DedupeWindow after
// the switch: publication follows commit within microseconds.
//
// Live changes come as the committed change records themselves
// (notify.Notification.Change), not as their NOTIFY payloads: rows of any
// size arrive whole and are filtered, and a NOTIFY on the user's channel,
// whatever its payload, is not a change. Caveats: an update whose new version does not match a
// live query's WHERE is sent as a delete even when the client never had the
// row (it ignores it): the gateway keeps no per-row state. The
// {"type":"subscribe","userId":...} form replays Config.UserTables (by
// default public.messages, the original message history) and passes on
// live changes of the same tables.
package gateway
