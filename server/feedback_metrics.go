package server

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starlight/dataserver/feedback"
)

// feedbackMetrics exports the loss feedback: records received by outcome,
// and per run (at most FeedbackMaxRuns runs, so the run label is bounded)
// its samples, its records and the loss summaries of its hardest samples
// by rank 1..10, read from the store at each scrape.
type feedbackMetrics struct {
	store   *feedback.Store
	records *prometheus.CounterVec
	samples *prometheus.Desc
	runRecs *prometheus.Desc
	hardest *prometheus.Desc
	size    *prometheus.Desc
}

func newFeedbackMetrics(st *feedback.Store) *feedbackMetrics {
	m := &feedbackMetrics{
		store: st,
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dataserver_feedback_records_total", Help: "Loss records received by ReportLosses, by outcome (accepted, rejected).",
		}, []string{"outcome"}),
		samples: prometheus.NewDesc("dataserver_feedback_run_samples", "Samples with a loss summary, per feedback run.", []string{"run"}, nil),
		runRecs: prometheus.NewDesc("dataserver_feedback_run_records_total", "Loss records recorded, per feedback run kept.", []string{"run"}, nil),
		hardest: prometheus.NewDesc("dataserver_feedback_hardest_loss", "Loss summary (moving average) of a run's hardest samples, by rank (1 the hardest).", []string{"run", "rank"}, nil),
		size:    prometheus.NewDesc("dataserver_feedback_store_bytes", "Bytes of the loss feedback store file.", nil, nil),
	}
	for _, o := range []string{"accepted", "rejected"} {
		m.records.WithLabelValues(o)
	}
	return m
}

// Describe sends the descriptions of the metrics.
func (m *feedbackMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.records.Describe(ch)
	for _, d := range []*prometheus.Desc{m.samples, m.runRecs, m.hardest, m.size} {
		ch <- d
	}
}

// Collect reads the runs from the store.
func (m *feedbackMetrics) Collect(ch chan<- prometheus.Metric) {
	m.records.Collect(ch)
	ch <- prometheus.MustNewConstMetric(m.size, prometheus.GaugeValue, float64(m.store.Size()))
	for _, r := range m.store.Runs() {
		ch <- prometheus.MustNewConstMetric(m.samples, prometheus.GaugeValue, float64(r.Samples), r.Name)
		ch <- prometheus.MustNewConstMetric(m.runRecs, prometheus.CounterValue, float64(r.Records), r.Name)
		top, err := m.store.Hardest(r.Name, hardestShown)
		if err != nil {
			continue
		}
		for i, h := range top {
			ch <- prometheus.MustNewConstMetric(m.hardest, prometheus.GaugeValue, h.Loss, r.Name, strconv.Itoa(i+1))
		}
	}
}
