package kalamdb

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kalamdb/kalamdb/sql"
)

// TestCollectorCountsCommitsCacheAndFlushes runs writes, a repeated index
// scan and a flush, and reads them back from the collector.
func TestCollectorCountsCommitsCacheAndFlushes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Session("root", 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		"CREATE TABLE m (id bigint PRIMARY KEY, conv text, body text)",
		"CREATE INDEX ON m (conv, id)",
		"INSERT INTO m VALUES (1, 'a', 'x'), (2, 'a', 'y'), (3, 'b', 'z')",
		"SELECT id FROM m WHERE conv = 'a' ORDER BY id DESC LIMIT 2",
		"SELECT id FROM m WHERE conv = 'a' ORDER BY id DESC LIMIT 2",
		"SELECT kalamdb_flush('m')",
		"SELECT body FROM m WHERE id = 2", // from Parquet, through the cold cache
	} {
		if err := s.Query(ctx, q, func(*sql.Result) error { return nil }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(db.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, m := range f.GetMetric() {
				if matches(m, labels) {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
		t.Fatalf("no %s%v", name, labels)
		return 0
	}
	if v := value("kalamdb_hot_commits_total", nil); v < 2 {
		t.Errorf("commits = %v, want at least 2 (the DDL and the insert)", v)
	}
	if v := value("kalamdb_hot_log_bytes_total", nil); v < 100 {
		t.Errorf("log bytes = %v, want at least the three rows' records", v)
	}
	if v := value("kalamdb_hot_apply_batches_total", nil); v < 1 {
		t.Errorf("apply batches = %v, want at least 1", v)
	}
	if v := value("kalamdb_hot_compaction_backlog", nil); v < 0 {
		t.Errorf("compaction backlog = %v, want a level count", v) // its rise and fall: hotstore's TestCompactionBacklogSettles
	}
	if v := value("kalamdb_index_cache_hits_total", nil); v != 1 {
		t.Errorf("index cache hits = %v, want 1 (the second scan)", v)
	}
	if v := value("kalamdb_index_cache_bytes", nil); v <= 0 {
		t.Errorf("index cache bytes = %v, want the cached range's", v)
	}
	if v := value("kalamdb_cold_cache_bytes", nil); v <= 0 {
		t.Errorf("cold cache bytes = %v, want the looked-up row group's", v)
	}
	if v := value("kalamdb_jobs_total", map[string]string{"kind": "flush", "state": "done"}); v != 1 {
		t.Errorf("flush jobs done = %v, want 1", v)
	}
	if v := value("kalamdb_job_rows_total", map[string]string{"kind": "flush"}); v != 3 {
		t.Errorf("flushed rows = %v, want 3", v)
	}
	if v := value("kalamdb_jobs_total", map[string]string{"kind": "compact", "state": "failed"}); v != 0 {
		t.Errorf("failed compactions = %v, want 0", v)
	}
}

func matches(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if want, ok := labels[l.GetName()]; ok {
			if want != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}
