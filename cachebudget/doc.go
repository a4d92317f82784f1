// Package cachebudget bounds the memory of several caches together.
//
// The hot store's index range cache and the cold store's row-group cache
// serve different data: before a flush the chat reads hit the first, after
// it point lookups hit the second. Fixed sizes for each would leave one
// cache's memory idle while the other thrashes, so they share one Budget:
// a member may grow into whatever the others leave unused, and always up
// to its fair share (the limit divided by the members), so two busy
// caches end with half each. When a member growing within its fair share
// takes the total over the limit, the members above their share are
// trimmed back, by a goroutine, outside the grower's locks (each cache
// trims itself under its own lock; calling one cache's trim while
// holding another's lock could deadlock).
package cachebudget
