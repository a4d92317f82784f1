// Package wire is KalamDB's PostgreSQL protocol (v3.0) server, built on
// pgx's pgproto3. It speaks to clients; everything SQL is the Backend's
// and its Sessions' (backend.go declares the narrow interfaces it needs).
//
// A Server is created with NewServer(Config, Backend), accepts with
// Serve(listener) and stops with Shutdown(ctx), which closes the
// listeners, ends every connection with FATAL 57P01 and waits for their
// goroutines.
//
// Per connection, one goroutine runs, under a context derived from the
// server's. It only waits for the client; the work is handed to a pooled
// worker goroutine while it waits for that (worker.go), so an idle
// connection keeps a minimal stack; a busy connection's worker waits a
// moment for its next message and answers it too (busy.go), blocked in
// poll(2) while few connections are busy (pollwait.go). An idle
// connection holds no read or write buffer:
// messages are read with a small buffer of its own and pooled ones while
// busy (reader.go). The work is:
//
//   - startup (startup.go): SSLRequest (TLS when Config.TLS is set),
//     GSSENCRequest (refused), CancelRequest (cancel.go), protocol 3.0 only
//     (a newer 3.x minor gets NegotiateProtocolVersion), "options" split
//     into "-c name=value" entries for Backend.NewSession;
//   - authentication (auth.go), by DESIGN.md's rules: root without a
//     password is trusted from loopback only; otherwise a cleartext
//     password (the user's password or a JWT for the user) over TLS or
//     loopback, SCRAM-SHA-256 elsewhere, as Config.Auth chooses;
//   - the simple (simple.go) and extended (extended.go) query protocols.
//     A portal runs at its first Execute and keeps its materialized
//     result, so Execute with a row limit hands it out in parts.
//
// Every error becomes an ErrorResponse in one function, conn.errorResponse
// (errors.go): a *pgerr.Error keeps its SQLSTATE, a canceled statement is
// 57014, anything else is XX000 and logged. Malformed or oversized
// messages end the connection with FATAL 08P01 or 54000; a panic while
// serving a connection is logged and ends only that connection.
//
// Writes to a connection are serialized by conn.wmu: responses are
// buffered and written once per response (or every 64 KiB of a large one),
// and conn.sendAsync lets other goroutines push asynchronous messages
// (NotificationResponse, ParameterStatus) while the connection goroutine
// waits for the client. A client that stops reading blocks those senders
// until it reads or the server shuts down.
package wire
