package pgxsuite

// The tests build cmd/kalamdb with "go build" while they run, which go
// test's result cache cannot see. Importing the server makes the test
// binary, and with it the cache key, change whenever the server's code
// (everything but cmd/kalamdb's flag wiring) does, so "make test" never
// reports a cached pass for a changed server.
import _ "github.com/kalamdb/kalamdb/server"
