package main

import (
	"fmt"
	"runtime/debug"
)

// heapHeadroom is the Go heap the server needs beyond its read caches:
// Badger's memtables (3 x 32 MB), the table builders of a memtable flush
// and of compactions (several hundred MB while they run), connections and
// queues. Measured while loading 500k messages: without a limit the heap
// peaked at 1.4 GB (RSS 1.75 GB) with 512 MB of caches, since the
// builders' garbage waits for the next GC, which GOGC=100 sets at twice
// the live heap; with a soft limit of 900 MB, RSS stayed under 900 MB and
// the load took as long.
const heapHeadroom = 768 << 20

// setMemoryLimit sets the Go runtime's soft memory limit to the cache
// size plus heapHeadroom, unless GOMEMLIMIT (env) chose one, and returns
// a description for the start log.
func setMemoryLimit(cacheBytes int64, env string) string {
	if env != "" {
		return "GOMEMLIMIT=" + env
	}
	limit := cacheBytes + heapHeadroom
	debug.SetMemoryLimit(limit)
	return fmt.Sprintf("%dMB", limit>>20)
}
