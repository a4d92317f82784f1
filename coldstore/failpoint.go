package coldstore

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// FailpointEnv names the environment variable read once by Open to arm a
// failpoint for crash tests: KALAMDB_FAILPOINT=<step> makes the process
// exit with status 3 the first time it reaches that step, <step>:<n> the
// n-th time. Steps (in the order a flush and a compaction reach them):
//
//	flush-temp-written       segment written and fsynced under a temp name
//	flush-renamed            segment renamed to batch-<n>.parquet, not listed
//	flush-manifest-written   manifest lists the segment; hot rows not trimmed
//	flush-trim-partial       (sql) first batch of flushed hot entries removed
//	compact-temp-written     merged segment fsynced under a temp name
//	compact-renamed          merged segment renamed, not listed
//	compact-manifest-written manifest swapped; replaced files not deleted
//
// Exiting (not panicking) is the point: nothing after the step runs, as
// after a power cut following the step's fsyncs.
const FailpointEnv = "KALAMDB_FAILPOINT"

// failpoint is an armed step; the zero value is disarmed.
type failpoint struct {
	step string
	at   int64        // fire on this hit (1 = first)
	hits atomic.Int64 // times step was reached
	exit func(code int)
	// seen, when set (tests), is told every step reached.
	seen func(step string)
}

// parseFailpoint reads "<step>" or "<step>:<n>".
func parseFailpoint(v string) (step string, at int64) {
	step, n, ok := strings.Cut(v, ":")
	at = 1
	if ok {
		if k, err := strconv.ParseInt(n, 10, 64); err == nil && k > 0 {
			at = k
		}
	}
	return step, at
}

func newFailpoint(v string) *failpoint {
	fp := &failpoint{exit: os.Exit}
	fp.step, fp.at = parseFailpoint(v)
	return fp
}

// reach is called at each named step.
func (fp *failpoint) reach(step string) {
	if fp == nil {
		return
	}
	if fp.seen != nil {
		fp.seen(step)
	}
	if fp.step == "" || step != fp.step {
		return
	}
	if fp.hits.Add(1) == fp.at {
		fp.exit(3)
	}
}

// Failpoint marks a step of a flush done outside this package (the hot
// store trim), so crash tests can stop the process there too.
func (s *Store) Failpoint(step string) { s.fail.reach(step) }
