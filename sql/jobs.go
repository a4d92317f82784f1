package sql

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/types"
)

// maxJobs bounds the jobs view: older entries fall off.
const maxJobs = 256

// Job is one flush or compaction of a partition, or one reclamation of
// the hot store's disk space, as shown by kalamdb_jobs().
type Job struct {
	ID       int64
	Kind     string // "flush", "compact" or "reclaim"
	Table    string // schema.table; "" for reclaim
	User     string // "" for a shared table
	State    string // "running", "done" or "failed"
	Rows     int64  // rows (and tombstones) written to Parquet
	Bytes    int64  // Parquet bytes written; for reclaim, hot store bytes freed
	Segments int64  // segments written (flush) or merged (compact)
	Started  time.Time
	Duration time.Duration
	Error    string
}

// tierState is the engine's record of cold-tier work: recent jobs and
// read counters. The zero value is ready.
type tierState struct {
	mu     sync.Mutex // guards jobs, nextID and totals
	jobs   []Job      // oldest first, at most maxJobs
	nextID int64
	totals map[string]JobTotals // by kind, since the engine started

	reads coldReadStats
}

// coldReadStats add up what merged scans touched in the cold tier.
type coldReadStats struct {
	scans, segments, opened, shadowed, rowGroups atomic.Int64
}

func (s *coldReadStats) add(st coldstore.ScanStats) {
	s.scans.Add(1)
	s.segments.Add(int64(st.Segments))
	s.opened.Add(int64(st.Opened))
	s.shadowed.Add(int64(st.Shadowed))
	s.rowGroups.Add(int64(st.RowGroups))
}

// ColdReadStats reports the cold segments scans have considered and
// opened since the engine started (for metrics and tests).
func (e *Engine) ColdReadStats() (scans, segments, opened int64) {
	r := &e.tiers.reads
	return r.scans.Load(), r.segments.Load(), r.opened.Load()
}

// JobTotals add up the finished jobs of one kind since the engine
// started (for metrics: the jobs view keeps only the recent ones).
type JobTotals struct {
	Done, Failed int64
	Rows, Bytes  int64
	Seconds      float64
}

// JobTotals returns the totals by kind ("flush", "compact", "reclaim").
func (e *Engine) JobTotals() map[string]JobTotals {
	ts := &e.tiers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := make(map[string]JobTotals, len(ts.totals))
	for k, t := range ts.totals {
		out[k] = t
	}
	return out
}

// startJob records a running job and returns its id.
func (e *Engine) startJob(kind, table, user string) int64 {
	ts := &e.tiers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.nextID++
	ts.jobs = append(ts.jobs, Job{ID: ts.nextID, Kind: kind, Table: table, User: user, State: "running", Started: time.Now()})
	if len(ts.jobs) > maxJobs {
		ts.jobs = append(ts.jobs[:0], ts.jobs[len(ts.jobs)-maxJobs:]...)
	}
	return ts.nextID
}

// finishJob completes job id and logs it. A job that did nothing (a flush
// of a partition with no hot rows) is dropped from the view and not
// logged, so periodic checks do not flood either.
func (e *Engine) finishJob(id int64, rows, bytes, segments int64, err error) {
	ts := &e.tiers
	ts.mu.Lock()
	var j Job
	for i := len(ts.jobs) - 1; i >= 0; i-- {
		if ts.jobs[i].ID != id {
			continue
		}
		if rows == 0 && segments == 0 && bytes == 0 && err == nil {
			ts.jobs = append(ts.jobs[:i], ts.jobs[i+1:]...)
			ts.mu.Unlock()
			return
		}
		p := &ts.jobs[i]
		p.Rows, p.Bytes, p.Segments, p.Duration, p.State = rows, bytes, segments, time.Since(p.Started), "done"
		if err != nil {
			p.State, p.Error = "failed", err.Error()
		}
		j = *p
		ts.addTotalsLocked(j)
		break
	}
	ts.mu.Unlock()
	if j.ID == 0 {
		return // fell off the ring while running
	}
	attrs := []any{"job", j.ID, "table", j.Table, "user", j.User, "rows", j.Rows, "bytes", j.Bytes,
		"segments", j.Segments, "took", j.Duration}
	if err != nil {
		e.log.Error(j.Kind, append(attrs, "err", err)...)
		return
	}
	e.log.Info(j.Kind, attrs...)
}

func (ts *tierState) addTotalsLocked(j Job) {
	if ts.totals == nil {
		ts.totals = make(map[string]JobTotals)
	}
	t := ts.totals[j.Kind]
	if j.State == "failed" {
		t.Failed++
	} else {
		t.Done++
	}
	t.Rows += j.Rows
	t.Bytes += j.Bytes
	t.Seconds += j.Duration.Seconds()
	ts.totals[j.Kind] = t
}

// Jobs returns the recent jobs, oldest first.
func (e *Engine) Jobs() []Job {
	e.tiers.mu.Lock()
	defer e.tiers.mu.Unlock()
	return append([]Job(nil), e.tiers.jobs...)
}

// jobColumns are kalamdb_jobs()'s result columns.
var jobColumns = []Column{
	{Name: "job_id", Type: types.Of(types.Int8)},
	{Name: "kind", Type: types.Of(types.Text)},
	{Name: "table_name", Type: types.Of(types.Text)},
	{Name: "user_id", Type: types.Of(types.Text)},
	{Name: "state", Type: types.Of(types.Text)},
	{Name: "rows", Type: types.Of(types.Int8)},
	{Name: "bytes", Type: types.Of(types.Int8)},
	{Name: "segments", Type: types.Of(types.Int8)},
	{Name: "started_at", Type: types.Of(types.Timestamptz)},
	{Name: "duration_ms", Type: types.Of(types.Float8)},
	{Name: "error", Type: types.Of(types.Text)},
}

// jobRows renders Jobs as kalamdb_jobs() rows; a running job's duration
// is how long it has run so far.
func (e *Engine) jobRows() [][]any {
	jobs := e.Jobs()
	out := make([][]any, len(jobs))
	for i, j := range jobs {
		d := j.Duration
		if j.State == "running" {
			d = time.Since(j.Started)
		}
		var table, user, msg any
		if j.Table != "" {
			table = j.Table
		}
		if j.User != "" {
			user = j.User
		}
		if j.Error != "" {
			msg = j.Error
		}
		out[i] = []any{j.ID, j.Kind, table, user, j.State, j.Rows, j.Bytes, j.Segments,
			j.Started, float64(d.Microseconds()) / 1000, msg}
	}
	return out
}
