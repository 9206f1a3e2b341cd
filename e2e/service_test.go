package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/server"
)

// The corpus's sample counts by kind (SPEC.md section 3); the test checks
// them against a walk of the tree too.
const (
	corpusClean     = 52
	corpusStego     = 96
	corpusNegatives = 28
)

// TestService runs the read-only checks of issue 4 against one in-process
// server with authentication on, over the shared corpus, all of it in the
// train split (splits have tests of their own).
func TestService(t *testing.T) {
	root := corpustest.Datasets(t)
	srv := startInProcess(t, server.Config{Root: root, Tokens: testTokens, Splits: allTrain})
	c := dial(t, []string{srv.addr}, client.WithToken(operatorToken))
	t.Run("Epoch", func(t *testing.T) { testEpoch(t, c, root) })
	t.Run("SameSeedSameBatches", func(t *testing.T) { testDeterminism(t, c) })
	t.Run("RanksDisjointAndCovering", func(t *testing.T) { testRanks(t, c, root) })
	t.Run("CancelAndResume", func(t *testing.T) { testCancelResume(t, c) })
	t.Run("StatsCounts", func(t *testing.T) { testStatsCounts(t, c, root) })
	t.Run("AuthMatrix", func(t *testing.T) { testAuthMatrix(t, []string{srv.addr}) })
	t.Run("DNSTarget", func(t *testing.T) { testDNSTarget(t, srv.addr) })
}

// testDNSTarget reaches the server through gRPC's DNS resolver
// (dns:///localhost:port), as a client of a headless Service would.
func testDNSTarget(t *testing.T, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.LookupHost("localhost"); err != nil {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	c := dial(t, []string{"dns:///localhost:" + port}, client.WithToken(operatorToken))
	keys, _ := collect(t, c, light(5))
	if len(keys) == 0 {
		t.Fatal("no batch through the DNS target")
	}
}

// served indexes the tree as the server does and returns its accepted
// samples by path, and every sample by path.
func served(t *testing.T, root string) (accepted, all map[string]index.Sample) {
	t.Helper()
	snap, err := index.Build(context.Background(), root, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	accepted, all = map[string]index.Sample{}, map[string]index.Sample{}
	for _, s := range snap.Samples {
		all[s.Path] = s
		if s.Accepted {
			accepted[s.Path] = s
		}
	}
	return accepted, all
}

// allTrain puts every sample in the train split.
var allTrain = index.SplitConfig{Fractions: map[string]float64{index.SplitTrain: 1}}

// servedOnce returns the paths an epoch of every split serves: the
// accepted samples, byte-identical copies once.
func servedOnce(t *testing.T, root string) map[string]bool {
	t.Helper()
	snap, err := index.Build(context.Background(), root, index.Options{HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range index.ServedIn(snap.Samples, index.SplitAll) {
		out[s.Path] = true
	}
	return out
}

var digestStreams = []string{"pixel", "meta", "alpha", "lsb", "palette", "palette_lsb"}

// testEpoch streams a whole epoch with mix 1:1:1 and every stream (bit
// planes packed) and checks proportions, coverage, labels, loss weights and
// the tensors against expected.jsonl.
func testEpoch(t *testing.T, c *client.Client, root string) {
	const B = 12
	req := &pb.StreamBatchesRequest{
		BatchSize: B, Mix: &pb.Mix{Clean: 1, Stego: 1, Negative: 1}, Seed: 3, PackBitPlanes: true,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL, pb.StreamKind_STREAM_KIND_META, pb.StreamKind_STREAM_KIND_ALPHA,
			pb.StreamKind_STREAM_KIND_LSB, pb.StreamKind_STREAM_KIND_PALETTE, pb.StreamKind_STREAM_KIND_PALETTE_LSB,
			pb.StreamKind_STREAM_KIND_FORMAT, pb.StreamKind_STREAM_KIND_CONTENT},
	}
	accepted, _ := served(t, root)
	expected := corpustest.Expected(t)
	seen := map[string]int{}
	var mismatches []string
	checked := map[string]bool{}
	batches := 0
	var perEpoch uint64
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			t.Fatalf("after %d batches: %v", batches, err)
		}
		if b.GetBatchIndex() != uint64(batches) || b.GetEpoch() != 0 {
			t.Fatalf("batch %d arrived as epoch %d batch %d", batches, b.GetEpoch(), b.GetBatchIndex())
		}
		batches++
		perEpoch = b.GetBatchesPerEpoch()
		if b.Len() != B {
			t.Fatalf("batch %d holds %d samples, want %d", b.GetBatchIndex(), b.Len(), B)
		}
		checkColumns(t, b, accepted)
		// Proportions within the batch: 1:1:1 of 12 is 4 of each.
		var kinds [4]int
		for _, k := range b.GetKinds() {
			kinds[k]++
		}
		for k := pb.Kind_KIND_CLEAN; k <= pb.Kind_KIND_NEGATIVE; k++ {
			if kinds[k] < B/3-1 || kinds[k] > B/3+1 {
				t.Errorf("batch %d holds %d %s samples of %d, want %d within one", b.GetBatchIndex(), kinds[k], k, B, B/3)
			}
		}
		for i, p := range b.GetPaths() {
			seen[p]++
			if checked[p] {
				continue
			}
			checked[p] = true
			for _, m := range compareDigests(t, b, i, expected[p], p) {
				// Where the served bytes are not the extractor's own output,
				// the server is at fault, whatever the reference says.
				if m.stream != "" && !sameAsExtractor(t, root, p, m.stream, m.got) {
					t.Errorf("%s %s: served bytes differ from the extractor's output for the file", p, m.stream)
				}
				mismatches = append(mismatches, m.text)
			}
		}
	}
	if uint64(batches) != perEpoch || batches == 0 {
		t.Fatalf("%d batches, batches_per_epoch says %d", batches, perEpoch)
	}
	var missing []string
	for p := range servedOnce(t, root) {
		if seen[p] == 0 {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d accepted samples never served in the epoch, e.g. %v", len(missing), missing[:min(5, len(missing))])
	}
	// The largest pool for its weight (stego, 96) is covered exactly once.
	for p, n := range seen {
		if accepted[p].Kind == index.KindStego && n != 1 {
			t.Errorf("stego %s served %d times in one epoch, want once", p, n)
		}
	}
	t.Run("Digests", func(t *testing.T) {
		if len(mismatches) > 0 {
			sort.Strings(mismatches)
			t.Errorf("%d stream(s) of %d samples differ from expected.jsonl (the served bytes are the extractor's own output: decoder parity gaps); first ones:\n  %s", len(mismatches), len(checked),
				strings.Join(mismatches[:min(12, len(mismatches))], "\n  "))
		}
	})
	t.Logf("epoch: %d batches of %d, %d distinct samples", batches, B, len(seen))
}

// checkColumns checks every sample's columns against the index's labels.
func checkColumns(t *testing.T, b *client.Batch, accepted map[string]index.Sample) {
	t.Helper()
	n := b.Len()
	if len(b.GetPaths()) != n || len(b.GetKinds()) != n || len(b.GetLabels()) != n || len(b.GetLossWeights()) != n ||
		len(b.GetTechniqueClasses()) != n || len(b.GetBitOrders()) != n || len(b.GetBitOrderOneHot()) != 3*n ||
		len(b.GetNegativeCategories()) != n || len(b.GetSubmissions()) != n {
		t.Fatalf("batch %d: columns of unequal lengths", b.GetBatchIndex())
	}
	kinds := map[index.Kind]pb.Kind{index.KindClean: pb.Kind_KIND_CLEAN, index.KindStego: pb.Kind_KIND_STEGO, index.KindNegative: pb.Kind_KIND_NEGATIVE}
	for i, p := range b.GetPaths() {
		s, ok := accepted[p]
		if !ok {
			t.Errorf("%s served but not accepted by the index", p)
			continue
		}
		k := b.GetKinds()[i]
		wantWeight, wantLabel := float32(1), uint32(0)
		switch k {
		case pb.Kind_KIND_NEGATIVE:
			wantWeight = 2
		case pb.Kind_KIND_STEGO:
			wantLabel = 1
		}
		oneHot := b.GetBitOrderOneHot()[3*i : 3*i+3]
		switch {
		case k != kinds[s.Kind]:
			t.Errorf("%s: kind %s, index says %s", p, k, s.Kind)
		case b.GetLabels()[i] != wantLabel:
			t.Errorf("%s: label %d for %s", p, b.GetLabels()[i], k)
		case b.GetLossWeights()[i] != wantWeight:
			t.Errorf("%s: loss weight %v for %s, want %v", p, b.GetLossWeights()[i], k, wantWeight)
		case int(b.GetTechniqueClasses()[i]) != s.Class:
			t.Errorf("%s: technique class %d, index says %d", p, b.GetTechniqueClasses()[i], s.Class)
		case b.GetNegativeCategories()[i] != s.Category:
			t.Errorf("%s: category %q, index says %q", p, b.GetNegativeCategories()[i], s.Category)
		case b.GetContentIds()[i] != s.ID || b.GetSubmissions()[i] != s.Submission:
			t.Errorf("%s: content id or submission differs from the index", p)
		case int(b.GetBitOrders()[i])-1 != int(s.BitOrder) || oneHot[s.BitOrder] != 1 || oneHot[0]+oneHot[1]+oneHot[2] != 1:
			t.Errorf("%s: bit order %s, one-hot %v, index says %d", p, b.GetBitOrders()[i], oneHot, s.BitOrder)
		}
	}
}

// mismatch is one stream of one sample that differs from expected.jsonl.
type mismatch struct {
	text   string
	stream string
	got    any // the served digest (string) or vector ([]float32)
}

// compareDigests checks sample i's tensors against its expected.jsonl entry
// and returns the differences.
func compareDigests(t *testing.T, b *client.Batch, i int, want corpustest.Entry, path string) []mismatch {
	t.Helper()
	if want.Path == "" {
		return []mismatch{{text: path + ": not in expected.jsonl"}}
	}
	var out []mismatch
	for _, name := range digestStreams {
		tn, ok := b.Tensor(name)
		if !ok {
			t.Fatalf("batch without %s", name)
		}
		v, err := tn.Uint8()
		if err != nil {
			t.Fatal(err)
		}
		per, err := tn.PerSample()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(v[i*per : (i+1)*per])
		if got := hex.EncodeToString(sum[:]); got != want.Digest(name) {
			out = append(out, mismatch{fmt.Sprintf("%s %s: sha256 %.12s, expected %.12s", path, name, got, want.Digest(name)), name, got})
		}
	}
	for _, name := range []string{"format", "content"} {
		tn, _ := b.Tensor(name)
		v, err := tn.Float32()
		if err != nil {
			t.Fatal(err)
		}
		per, _ := tn.PerSample()
		got, exp := v[i*per:(i+1)*per], want.Vector(name)
		if len(exp) != len(got) {
			out = append(out, mismatch{fmt.Sprintf("%s %s: %d values, expected %d", path, name, len(got), len(exp)), name, got})
			continue
		}
		for j := range got {
			if math.Abs(float64(got[j])-exp[j]) > 1e-6 {
				out = append(out, mismatch{fmt.Sprintf("%s %s: value %d is %v, expected %v", path, name, j, got[j], exp[j]), name, slices.Clone(got)})
				break
			}
		}
	}
	return out
}

// sameAsExtractor tells whether a served stream (digest or vector) equals
// what the extractor itself makes of the file.
func sameAsExtractor(t *testing.T, root, path, stream string, got any) bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := extract.Extract(data, extract.Options{})
	if err != nil {
		t.Errorf("%s: the extractor fails: %v", path, err)
		return false
	}
	d := s.Digest()
	want := map[string]string{"pixel": d.Pixel, "meta": d.Meta, "alpha": d.Alpha, "lsb": d.LSB, "palette": d.Palette, "palette_lsb": d.PaletteLSB}
	switch stream {
	case "format":
		return slices.Equal(got.([]float32), s.FormatVec[:])
	case "content":
		return slices.Equal(got.([]float32), s.Content[:])
	}
	return got.(string) == want[stream]
}

// testDeterminism: the same request gives the same batches; another seed
// another order.
func testDeterminism(t *testing.T, c *client.Client) {
	a, _ := collect(t, c, light(5))
	b, _ := collect(t, c, light(5))
	if err := sameKeys(b, a); err != nil {
		t.Fatalf("same seed, different batches: %v", err)
	}
	other, _ := collect(t, c, light(6))
	if sameKeys(other, a) == nil {
		t.Fatal("seeds 5 and 6 gave the same batches")
	}
}

// testRanks: four ranks get the same number of batches, and interleaved
// (rank r's batch b is global batch 4b+r) they are exactly the
// single-rank schedule: disjoint, and covering every accepted sample.
func testRanks(t *testing.T, c *client.Client, root string) {
	const world = 4
	single, _ := collect(t, c, light(8))
	ranks := make([][]key, world)
	for r := range world {
		req := light(8)
		req.Rank, req.WorldSize = uint32(r), world
		ranks[r], _ = collect(t, c, req)
		if len(ranks[r]) != len(ranks[0]) {
			t.Fatalf("rank %d has %d batches, rank 0 has %d", r, len(ranks[r]), len(ranks[0]))
		}
	}
	var merged []key
	for b := range ranks[0] {
		for r := range world {
			merged = append(merged, ranks[r][b].samplesOnly())
		}
	}
	var want []key
	for _, k := range single {
		want = append(want, k.samplesOnly())
	}
	n := min(len(merged), len(want))
	if n == 0 || n < len(want)-world || n < len(merged)-world {
		t.Fatalf("ranks hold %d batches together, one rank alone %d", len(merged), len(want))
	}
	if err := sameKeys(merged[:n], want[:n]); err != nil {
		t.Fatalf("ranks interleaved differ from the single-rank schedule: %v", err)
	}
	accepted, _ := served(t, root)
	seenBy := map[string]int{}
	for r := range world {
		for _, k := range ranks[r] {
			for _, p := range strings.Split(k.Paths, "|") {
				if prev, ok := seenBy[p]; ok && prev != r && accepted[p].Kind == index.KindStego {
					t.Errorf("stego %s served to ranks %d and %d in one epoch", p, prev, r)
				}
				seenBy[p] = r
			}
		}
	}
	for p := range servedOnce(t, root) {
		if _, ok := seenBy[p]; !ok {
			t.Errorf("%s served to no rank", p)
		}
	}
}

// testCancelResume: a stream cancelled mid-epoch and resumed from its last
// cursor gives, joined, exactly the uninterrupted run; across an epoch
// boundary too.
func testCancelResume(t *testing.T, c *client.Client) {
	req := light(5)
	req.EndEpoch = 2
	full, _ := collect(t, c, req)
	per := len(full) / 2
	for _, cut := range []int{1, 10, per, per + 3} {
		var head []key
		ctx, cancel := context.WithCancel(context.Background())
		for b, err := range c.Stream(ctx, req) {
			if err != nil {
				t.Fatal(err)
			}
			head = append(head, keyOf(b))
			if len(head) == cut {
				cancel()
				break
			}
		}
		cancel()
		resumed := clone(req)
		resumed.Cursor = lastCursor(head)
		tail, _ := collect(t, c, resumed)
		if err := sameKeys(append(head, tail...), full); err != nil {
			t.Fatalf("cut after %d batches: %v", cut, err)
		}
	}
}

// clone copies a request.
func clone(r *pb.StreamBatchesRequest) *pb.StreamBatchesRequest {
	return proto.Clone(r).(*pb.StreamBatchesRequest)
}

// testStatsCounts: Stats counts the corpus's samples by kind, as a walk of
// the tree and the index do.
func testStatsCounts(t *testing.T, c *client.Client, root string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := c.Stats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var samples, acc [4]uint64
	for _, r := range st.GetCounts() {
		samples[r.GetKind()] += r.GetSamples()
		acc[r.GetKind()] += r.GetAccepted()
	}
	walked := walkCounts(t, root)
	accepted, all := served(t, root)
	var idx [4]uint64
	for _, s := range accepted {
		idx[int(s.Kind)+1]++
	}
	for k, want := range map[pb.Kind]uint64{pb.Kind_KIND_CLEAN: corpusClean, pb.Kind_KIND_STEGO: corpusStego, pb.Kind_KIND_NEGATIVE: corpusNegatives} {
		if samples[k] != want || walked[k] != want {
			t.Errorf("%s: Stats counts %d, the tree holds %d, the corpus %d", k, samples[k], walked[k], want)
		}
		if acc[k] != idx[k] {
			t.Errorf("%s: Stats counts %d accepted, the index accepts %d", k, acc[k], idx[k])
		}
	}
	if st.GetSamples() != uint64(len(all)) || st.GetSamples() != corpusClean+corpusStego+corpusNegatives {
		t.Errorf("Stats samples %d, index %d, corpus %d", st.GetSamples(), len(all), corpusClean+corpusStego+corpusNegatives)
	}
	if st.GetAccepted() != uint64(len(accepted)) {
		t.Errorf("Stats accepted %d, index %d", st.GetAccepted(), len(accepted))
	}
	var listed uint64
	for p, err := range c.Problems(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.GetCode() == "" || p.GetSeverity() == pb.Severity_SEVERITY_UNSPECIFIED {
			t.Errorf("problem without code or severity: %v", p)
		}
		listed++
	}
	if listed != st.GetTotalProblems() {
		t.Errorf("paged through %d problems, total_problems says %d", listed, st.GetTotalProblems())
	}
}

// walkCounts counts the image files of the tree by kind folder (sidecars,
// manifests and seeds aside).
func walkCounts(t *testing.T, root string) [4]uint64 {
	t.Helper()
	var out [4]uint64
	images := map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !images[strings.ToLower(filepath.Ext(p))] {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) < 3 {
			return nil
		}
		switch parts[1] {
		case "clean":
			out[pb.Kind_KIND_CLEAN]++
		case "stego":
			out[pb.Kind_KIND_STEGO]++
		case "negatives":
			out[pb.Kind_KIND_NEGATIVE]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
