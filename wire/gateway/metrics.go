package gateway

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kalamdb/kalamdb/notify"
)

// metrics are the gateway's Prometheus metrics, on a registry of its own
// (no global default registry). The server adds the storage side (commits,
// syncs, the index cache, flush and compaction jobs: kalamdb.DB.Collector).
type metrics struct {
	reg *prometheus.Registry

	httpConns   prometheus.Gauge
	wsConns     prometheus.Gauge
	wsSubs      prometheus.Gauge
	queries     *prometheus.CounterVec // by command tag
	errors      *prometheus.CounterVec // by SQLSTATE
	commit      prometheus.Histogram
	wsSent      prometheus.Counter
	wsSlow      prometheus.Counter
	wsRefused   *prometheus.CounterVec // by reason
	httpLatency *prometheus.HistogramVec

	// Resolving a label value through its vector hashes it and takes a
	// lock every request shares; the few values requests use are kept
	// once resolved (a series still appears only once used).
	byCommand sync.Map // command -> prometheus.Counter of queries
	byStatus  sync.Map // HTTP status (int) -> prometheus.Observer of httpLatency
}

func newMetrics(hub *notify.Hub) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.httpConns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kalamdb_http_connections", Help: "Open HTTP connections (WebSockets count separately once upgraded).",
	})
	m.wsConns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kalamdb_websocket_connections", Help: "Open WebSocket connections.",
	})
	m.wsSubs = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kalamdb_websocket_subscribers", Help: "Active WebSocket subscriptions (both forms).",
	})
	m.queries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kalamdb_queries_total", Help: "Statements run over HTTP, by command.",
	}, []string{"command"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kalamdb_errors_total", Help: "Errors returned over HTTP and WebSocket, by SQLSTATE.",
	}, []string{"sqlstate"})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "kalamdb_commit_duration_seconds",
		Help: "Time from the start to the acknowledged commit of HTTP requests that wrote (includes execution).",
		// 50µs .. ~0.4s: group commit with fsync lives in the low milliseconds.
		Buckets: prometheus.ExponentialBuckets(50e-6, 2, 14),
	})
	m.wsSent = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kalamdb_websocket_messages_sent_total", Help: "Messages written to WebSocket clients.",
	})
	m.wsSlow = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kalamdb_websocket_slow_consumers_total", Help: "WebSockets closed because the client did not keep up.",
	})
	m.wsRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kalamdb_websocket_refused_total", Help: "WebSocket connections or subscriptions refused, by reason.",
	}, []string{"reason"})
	m.httpLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kalamdb_http_request_duration_seconds", Help: "HTTP query requests, by status.",
		Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16),
	}, []string{"status"})
	m.reg.MustRegister(m.httpConns, m.wsConns, m.wsSubs, m.queries, m.errors, m.commit,
		m.wsSent, m.wsSlow, m.wsRefused, m.httpLatency,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kalamdb_notifications_queued_total",
			Help: "Notifications and changes queued for listeners (pgwire and WebSocket), one per listener.",
		}, func() float64 { return float64(hub.Stats().Queued) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kalamdb_notifications_dropped_total",
			Help: "Notifications lost because a listener's queue overflowed (its connection is then closed).",
		}, func() float64 { return float64(hub.Stats().Dropped) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// countQuery counts a statement of command cmd run over HTTP.
func (m *metrics) countQuery(cmd string) {
	c, ok := m.byCommand.Load(cmd)
	if !ok {
		c, _ = m.byCommand.LoadOrStore(cmd, m.queries.WithLabelValues(cmd))
	}
	c.(prometheus.Counter).Inc()
}

// observeHTTP records an HTTP query request's latency by its status.
func (m *metrics) observeHTTP(status int, start time.Time) {
	o, ok := m.byStatus.Load(status)
	if !ok {
		o, _ = m.byStatus.LoadOrStore(status, m.httpLatency.WithLabelValues(strconv.Itoa(status)))
	}
	o.(prometheus.Observer).Observe(time.Since(start).Seconds())
}

func (m *metrics) observeCommit(start time.Time) { m.commit.Observe(time.Since(start).Seconds()) }

func (m *metrics) countError(code string) { m.errors.WithLabelValues(code).Inc() }

// Registry is the gateway's metrics registry, served at /metrics; the
// server may register the protocol server's collectors on it.
func (g *Gateway) Registry() *prometheus.Registry { return g.metrics.reg }
