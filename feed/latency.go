package feed

import (
	"math"
	"sync"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the extraction latency
// histogram kept for Stats: 50µs doubling up to about 26 s, then +Inf.
var latencyBuckets = func() []float64 {
	b := make([]float64, 20)
	v := 50e-6
	for i := range b {
		b[i] = v
		v *= 2
	}
	return b
}()

// latency is a small histogram with a count, sum and maximum.
type latency struct {
	mu     sync.Mutex
	counts [21]uint64
	n      uint64
	sum    float64
	max    float64
}

func (l *latency) observe(d time.Duration) {
	s := d.Seconds()
	i := len(latencyBuckets)
	for j, ub := range latencyBuckets {
		if s <= ub {
			i = j
			break
		}
	}
	l.mu.Lock()
	l.counts[i]++
	l.n++
	l.sum += s
	l.max = math.Max(l.max, s)
	l.mu.Unlock()
}

// LatencySummary summarises extraction latencies, in seconds.
type LatencySummary struct {
	Count               uint64
	Mean, P50, P99, Max float64
}

func (l *latency) summary() LatencySummary {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := LatencySummary{Count: l.n, Max: l.max}
	if l.n == 0 {
		return out
	}
	out.Mean = l.sum / float64(l.n)
	out.P50 = l.quantileLocked(0.50)
	out.P99 = l.quantileLocked(0.99)
	return out
}

// quantileLocked returns the upper bound of the bucket holding quantile q,
// capped at the maximum seen.
func (l *latency) quantileLocked(q float64) float64 {
	rank := uint64(math.Ceil(q * float64(l.n)))
	var cum uint64
	for i, c := range l.counts {
		cum += c
		if cum >= rank {
			if i < len(latencyBuckets) {
				return math.Min(latencyBuckets[i], l.max)
			}
			return l.max
		}
	}
	return l.max
}
