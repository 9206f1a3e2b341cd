package server

import (
	"context"
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestIndexWarmsTheCache: the index hands every image it decoded to the
// feed, counted as warmed; an epoch then extracts nothing on demand.
func TestIndexWarmsTheCache(t *testing.T) {
	r := start(t, testConfig(t), true)
	served := len(r.srv.Catalog().Current().Served)
	if st := r.srv.Feed().Stats(); st.Warmed < uint64(served) {
		t.Fatalf("%d images warmed, %d served", st.Warmed, served)
	}
	c := pb.NewDataServiceClient(dial(t, r.addr))
	if _, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 4, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}); err != nil {
		t.Fatal(err)
	}
	if st := r.srv.Feed().Stats(); st.CacheMisses != 0 || st.Extraction.Count != 0 || st.CacheHits == 0 {
		t.Errorf("after an epoch: %d misses, %d extractions timed, %d hits", st.CacheMisses, st.Extraction.Count, st.CacheHits)
	}
}
