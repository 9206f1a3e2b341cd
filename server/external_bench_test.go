package server

import (
	"bufio"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// BenchmarkPullExternal measures a separately running server end to end:
// `dataserver serve --root ... --addr $DATASERVER_ADDR --metrics-addr
// $DATASERVER_METRICS`. Each variant warms the cache with one epoch, then
// pulls b.N batches of 32 (many cached epochs) and reports samples/s, the
// client's CPU per batch and, from the server's /metrics, its CPU,
// allocations and bytes allocated per batch and its resident memory.
// Skipped unless DATASERVER_ADDR is set.
func BenchmarkPullExternal(b *testing.B) {
	addr := os.Getenv("DATASERVER_ADDR")
	if addr == "" {
		b.Skip("DATASERVER_ADDR not set: no external server to pull from")
	}
	metricsAddr := os.Getenv("DATASERVER_METRICS")
	variants := []struct {
		name string
		req  func() *pb.StreamBatchesRequest
	}{
		{"unpacked", func() *pb.StreamBatchesRequest { return &pb.StreamBatchesRequest{} }},
		{"packed", func() *pb.StreamBatchesRequest { return &pb.StreamBatchesRequest{PackBitPlanes: true} }},
		{"pixel", func() *pb.StreamBatchesRequest { return &pb.StreamBatchesRequest{Streams: pixelOnly} }},
	}
	for _, raw := range []bool{false, true} {
		for _, v := range variants {
			name := v.name + "/decoded"
			if raw {
				name = v.name + "/raw"
			}
			b.Run(name, func(b *testing.B) {
				var before map[string]float64
				cpu := measurePull(b, dial(b, addr, benchDial...), v.req(), raw, func() { before = scrape(b, metricsAddr) })
				n := float64(b.N)
				b.ReportMetric(float64(cpu)/n, "client-cpu-ns/op")
				if after := scrape(b, metricsAddr); after != nil && before != nil {
					b.ReportMetric((after["process_cpu_seconds_total"]-before["process_cpu_seconds_total"])*1e9/n, "server-cpu-ns/op")
					b.ReportMetric((after["go_memstats_mallocs_total"]-before["go_memstats_mallocs_total"])/n, "server-allocs/op")
					b.ReportMetric((after["go_memstats_alloc_bytes_total"]-before["go_memstats_alloc_bytes_total"])/n, "server-B/op")
					b.ReportMetric(after["process_resident_memory_bytes"]/(1<<20), "server-RSS-MiB")
				}
			})
		}
	}
}

// scrape reads the unlabelled samples of the server's /metrics, or nil
// without a metrics address.
func scrape(b *testing.B, addr string) map[string]float64 {
	if addr == "" {
		return nil
	}
	cl := http.Client{Timeout: 10 * time.Second}
	resp, err := cl.Get("http://" + addr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if f, err := strconv.ParseFloat(val, 64); err == nil {
			out[name] = f
		}
	}
	return out
}
