// Command bench runs KalamDB and a throwaway PostgreSQL 15 side by side with
// the same driver (pgx) and the same workloads, and prints one markdown
// table of results with ratios oriented so that above 1 means KalamDB is
// better. It is the program behind `make bench`:
//
//	go run ./integration/bench [-profile quick|full] [-workloads W1,W2] [-rounds 3]
//	    [-duration 5s] [-systems pg,kalamdb] [-out bench/results] [-cache-size 512MB]
//
// Both systems get the same cache memory: -cache-size is PostgreSQL's
// shared_buffers and KalamDB's --cache-size (512 MB, which holds W2's
// data on both; PostgreSQL's fits in less, KalamDB's hot copies and
// decoded cold columns do not).
//
// Each case runs against one system at a time, interleaved (A B A B ...), and
// reports the median of the rounds. Results are also written to
// <out>/<date>-<shortcommit>.md with a PNG chart of latency percentiles.
//
// Workloads: W1 durable single-row INSERT (shared table), W1u the same into
// a per-user table on KalamDB, W1a with async durability, W2 reads (latest
// 50 of a conversation, point lookup) and W2c the same after KalamDB
// flushed them to Parquet, W3 insert + notification, W4 notify latency
// with durable commits and W4a with async ones, W5 memory per idle
// listening connection, W6 storage per message, W7 a point lookup over
// HTTP on KalamDB against pgwire on PostgreSQL. A KalamDB query that fails
// is recorded in its cell and the run goes on.
//
// Throughput cases also report the server's CPU time per operation, read
// from /proc around the timed part of each round (KalamDB's process;
// PostgreSQL's postmaster and its children): steadier than throughput on
// a shared machine, and it shows where one system does more work.
//
// Caveats: numbers from a shared 2-core machine are noisy and only the
// ratios within one run are meaningful; W5 compares PostgreSQL's summed
// proportional set size (Pss) of all its processes with KalamDB's RSS, each
// as growth per connection.
package main
