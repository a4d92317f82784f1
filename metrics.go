package kalamdb

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the storage side of the database to Prometheus: the
// hot store's commits, group-commit syncs, write-ahead log and index
// cache, and the cold tier's flush, compaction and reclamation jobs. It
// reads the counters when scraped, so it costs nothing between scrapes.
func (db *DB) Collector() prometheus.Collector { return dbCollector{db} }

type dbCollector struct{ db *DB }

var (
	descCommits = prometheus.NewDesc("kalamdb_hot_commits_total",
		"Committed transactions that wrote to the hot store.", nil, nil)
	descSyncs = prometheus.NewDesc("kalamdb_hot_syncs_total",
		"Group-commit sync rounds (one fdatasync each covers every commit that joined it).", nil, nil)
	descConflicts = prometheus.NewDesc("kalamdb_hot_conflicts_total",
		"Commits refused with SQLSTATE 40001.", nil, nil)
	descLogBytes = prometheus.NewDesc("kalamdb_hot_log_bytes_total",
		"Bytes of commit records appended to the hot store's write-ahead log.", nil, nil)
	descCheckpoints = prometheus.NewDesc("kalamdb_hot_checkpoints_total",
		"Checkpoints of the hot store's write-ahead log (each lets it delete old segments).", nil, nil)
	descApplyBatches = prometheus.NewDesc("kalamdb_hot_apply_batches_total",
		"Batches in which the hot store's applier gave logged commits to Badger (commits divided by this is how many shared a batch).", nil, nil)
	descCompactionBacklog = prometheus.NewDesc("kalamdb_hot_compaction_backlog",
		"Levels of the hot store's LSM tree that its background compaction still has to work down (0 when settled).", nil, nil)
	descCacheHits = prometheus.NewDesc("kalamdb_index_cache_hits_total",
		"Index scans served from the hot store's index range cache.", nil, nil)
	descCacheBytes = prometheus.NewDesc("kalamdb_index_cache_bytes",
		"Bytes held by the index range cache.", nil, nil)
	descColdCacheBytes = prometheus.NewDesc("kalamdb_cold_cache_bytes",
		"Bytes held by the cold store's row-group cache (shares --cache-size with the index range cache).", nil, nil)
	descJobs = prometheus.NewDesc("kalamdb_jobs_total",
		"Finished flush, compaction and reclamation jobs (those that did something), by kind and state.",
		[]string{"kind", "state"}, nil)
	descJobRows = prometheus.NewDesc("kalamdb_job_rows_total",
		"Rows (and tombstones) written to Parquet by jobs, by kind.", []string{"kind"}, nil)
	descJobBytes = prometheus.NewDesc("kalamdb_job_bytes_total",
		"Parquet bytes written by flushes and compactions; hot store bytes freed by reclamation.", []string{"kind"}, nil)
	descJobSeconds = prometheus.NewDesc("kalamdb_job_seconds_total",
		"Time spent in jobs, by kind.", []string{"kind"}, nil)
)

func (dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCommits, descSyncs, descConflicts, descLogBytes, descCheckpoints,
		descApplyBatches, descCompactionBacklog, descCacheHits, descCacheBytes, descColdCacheBytes,
		descJobs, descJobRows, descJobBytes, descJobSeconds} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.db.store.Stats()
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	counter(descCommits, float64(st.Commits))
	counter(descSyncs, float64(st.Fsyncs))
	counter(descConflicts, float64(st.Conflicts))
	counter(descLogBytes, float64(st.LogBytes))
	counter(descCheckpoints, float64(st.Checkpoints))
	counter(descApplyBatches, float64(st.ApplyBatches))
	ch <- prometheus.MustNewConstMetric(descCompactionBacklog, prometheus.GaugeValue, float64(st.CompactionBacklog))
	counter(descCacheHits, float64(st.IndexCacheHits))
	ch <- prometheus.MustNewConstMetric(descCacheBytes, prometheus.GaugeValue, float64(st.IndexCacheBytes))
	ch <- prometheus.MustNewConstMetric(descColdCacheBytes, prometheus.GaugeValue, float64(c.db.cold.CacheBytes()))
	// Every kind is exported from the start, at zero until its first job.
	totals := c.db.eng.JobTotals()
	for _, kind := range []string{"flush", "compact", "reclaim"} {
		t := totals[kind]
		counter(descJobs, float64(t.Done), kind, "done")
		counter(descJobs, float64(t.Failed), kind, "failed")
		counter(descJobRows, float64(t.Rows), kind)
		counter(descJobBytes, float64(t.Bytes), kind)
		counter(descJobSeconds, t.Seconds, kind)
	}
}
