package server

import (
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/guard"
)

// metrics are the server's Prometheus collectors, in a registry of its own
// so that several servers can live in one process (tests, demo).
type metrics struct {
	reg           *prometheus.Registry
	grpc          *grpcprom.ServerMetrics
	served        *prometheus.CounterVec
	requestedMix  *prometheus.GaugeVec
	activeStreams prometheus.Gauge
	extract       prometheus.Histogram
	indexSamples  *prometheus.GaugeVec
}

func newMetrics(f func() *feed.Feed, cat func() *catalog.Catalog) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.grpc = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(
		grpcprom.WithHistogramBuckets([]float64{0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600}),
	))
	m.served = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dataserver_samples_served_total", Help: "Samples sent in batches, by consumer and kind.",
	}, []string{"consumer", "kind"})
	m.requestedMix = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "dataserver_requested_mix", Help: "Share of each kind in the consumer's last requested mix.",
	}, []string{"consumer", "kind"})
	m.activeStreams = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dataserver_active_streams", Help: "StreamBatches calls running now.",
	})
	m.extract = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "dataserver_extract_seconds", Help: "Time to read and extract the streams of one image.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	m.indexSamples = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "dataserver_index_samples", Help: "Samples the current snapshot serves, by kind.",
	}, []string{"kind"})
	hits := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_cache_hits_total", Help: "Images found in the stream cache (memory or disk).",
	}, func() float64 { return float64(f().Stats().CacheHits) })
	misses := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_cache_misses_total", Help: "Images that had to be extracted.",
	}, func() float64 { return float64(f().Stats().CacheMisses) })
	warmed := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_cache_warmed_total", Help: "Images whose streams the index extracted while indexing and put in the cache.",
	}, func() float64 { return float64(f().Stats().Warmed) })
	panics := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_panics_total", Help: "Panics recovered (index, extraction, calls): bugs, each logged with its stack.",
	}, func() float64 { return float64(guard.Count()) })
	bytes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dataserver_cache_bytes", Help: "Bytes held by the in-memory stream cache.",
	}, func() float64 { return float64(f().Stats().CacheBytes) })
	budgetUsed := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dataserver_budget_used_bytes", Help: "Memory budget in use: stream reservations, batches assembled, queued and being written, the memory cache.",
	}, func() float64 { return float64(f().Stats().BudgetUsed) })
	budgetRefusals := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_budget_refusals_total", Help: "Streams ended RESOURCE_EXHAUSTED for want of memory budget.",
	}, func() float64 { return float64(f().Stats().BudgetRefusals) })
	diskCorrupt := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_disk_cache_corrupt_total", Help: "Disk cache entries that failed their check and were removed.",
	}, func() float64 { return float64(f().Stats().DiskCorrupt) })
	diskWrite := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_disk_cache_write_errors_total", Help: "Disk cache entries that could not be written (a full disk, say).",
	}, func() float64 { return float64(f().Stats().DiskWriteErrors) })
	diskRead := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dataserver_disk_cache_read_errors_total", Help: "Disk cache entries that could not be read.",
	}, func() float64 { return float64(f().Stats().DiskReadErrors) })
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dataserver_snapshot_age_seconds", Help: "Age of the current snapshot (0 before the first).",
	}, func() float64 { return cat().Age().Seconds() })
	m.reg.MustRegister(m.grpc, m.served, m.requestedMix, m.activeStreams, m.extract, m.indexSamples,
		hits, misses, warmed, panics, bytes, budgetUsed, budgetRefusals, age, diskCorrupt, diskWrite, diskRead,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// forget drops the series of a consumer the consumer table forgot.
func (m *metrics) forget(consumer string) {
	m.served.DeletePartialMatch(prometheus.Labels{"consumer": consumer})
	m.requestedMix.DeletePartialMatch(prometheus.Labels{"consumer": consumer})
}

// onSwap publishes the served samples per kind of a new snapshot.
func (m *metrics) onSwap(v *catalog.View) {
	var n [3]int
	for _, s := range v.Served {
		if s.Kind >= 0 && int(s.Kind) < len(n) {
			n[s.Kind]++
		}
	}
	for k, c := range n {
		m.indexSamples.WithLabelValues(index.Kind(k).String()).Set(float64(c))
	}
}

func (m *metrics) onExtract(d time.Duration, _ error) {
	m.extract.Observe(d.Seconds())
}
