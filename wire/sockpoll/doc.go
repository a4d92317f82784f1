// Package sockpoll lets a goroutine wait for a socket to become readable
// by blocking its own thread in poll(2), as a PostgreSQL backend waits for
// its client, instead of parking on Go's netpoller.
//
// A goroutine parked on the netpoller is woken by another thread and
// handed to a thread with a P: when a connection's next message comes a
// hundred microseconds after its reply, as with one client at a time,
// those hand-offs cost more CPU than the work. A thread in poll(2) holds
// its P until the runtime takes it back, so callers wait this way only
// briefly (a few milliseconds at most) and only while a P stays free for
// everything else: the PostgreSQL
// front door's busy window (package wire) and the HTTP gateway's wait for
// a keep-alive connection's next request (package gateway).
package sockpoll
