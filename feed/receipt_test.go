package feed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/treetest"
	"github.com/starlight/dataserver/sampling"
)

func sampleReceipt() Receipt {
	r := Receipt{
		Position: sampling.Cursor{SnapshotID: strings.Repeat("ab", 32), NextBatch: 7, Params: sampling.Params{
			Seed: 9, Epoch: 3, BatchSize: 16, Rank: 1, World: 4, Mix: sampling.Mix{1, 1, 1}, Split: sampling.SplitTrain,
		}},
		ExtractorVersion: extract.Version,
		Layout: Layout{Streams: []Stream{Pixel, LSB, Content}, PackBits: true, Weights: Weights{
			Clean: 1, Stego: 1.5, Negative: 2, Categories: map[string]float32{"uniform_alpha": 3, "natural_noise": 0.5},
		}},
	}
	for i := range r.Digest {
		r.Digest[i] = byte(i * 17)
	}
	return r
}

// TestReceiptRoundTrip: a receipt parses back to itself, and its text is
// unpadded base64url.
func TestReceiptRoundTrip(t *testing.T) {
	r := sampleReceipt()
	s := r.Encode()
	if strings.ContainsAny(s, "+/=") {
		t.Fatalf("receipt %q is not URL-safe", s)
	}
	back, err := ParseReceipt(s)
	if err != nil {
		t.Fatal(err)
	}
	if back.Encode() != s || back.Digest != r.Digest || back.Position.Rank != 1 || back.Position.NextBatch != 7 ||
		back.Layout.Weights.Categories["uniform_alpha"] != 3 || !back.Layout.PackBits {
		t.Fatalf("round trip changed the receipt: %+v", back)
	}
	t.Logf("receipt of %d characters: %s", len(s), s)
}

// TestReceiptRefusesEdits: every edited character, every truncation, garbage
// and another version are refused with ErrBadReceipt.
func TestReceiptRefusesEdits(t *testing.T) {
	s := sampleReceipt().Encode()
	for i := range s {
		for _, c := range []byte{'A', '_', '0'} {
			if s[i] == c {
				continue
			}
			edited := s[:i] + string(c) + s[i+1:]
			if _, err := ParseReceipt(edited); !errors.Is(err, ErrBadReceipt) {
				t.Fatalf("edit at %d accepted: %v", i, err)
			}
		}
	}
	for n := range len(s) {
		if _, err := ParseReceipt(s[:n]); !errors.Is(err, ErrBadReceipt) {
			t.Fatalf("truncation to %d accepted: %v", n, err)
		}
	}
	for _, g := range []string{"", "!!!", "AAAA", s + "A", strings.Repeat("A", maxReceiptText+1)} {
		if _, err := ParseReceipt(g); !errors.Is(err, ErrBadReceipt) {
			t.Fatalf("garbage %.20q accepted: %v", g, err)
		}
	}
}

// TestReceiptsOfRanksDiffer: the same batch index of every rank of a world,
// over the same samples even, gives different receipts.
func TestReceiptsOfRanksDiffer(t *testing.T) {
	seen := map[string]int{}
	for rank := range 8 {
		r := sampleReceipt()
		r.Position.World, r.Position.Rank = 8, rank
		s := r.Encode()
		if prev, ok := seen[s]; ok {
			t.Fatalf("ranks %d and %d share receipt %s", prev, rank, s)
		}
		seen[s] = rank
	}
}

// TestStreamedReceiptsReplay: every batch of two ranks over two epochs
// carries a distinct receipt naming its own position, and Replay gives back
// the same rows and tensor bytes; on a copy of the tree with one file
// changed, Replay names that file and returns nothing.
func TestStreamedReceiptsReplay(t *testing.T) {
	root, cat := corpus(t)
	f := newFeed(t, Config{})
	// Replays in the loop go through a feed of their own: the budget they
	// are charged is then read with nothing else moving it (f's streams
	// reserve their next batches meanwhile).
	rf := newFeed(t, Config{})
	ctx := context.Background()
	seen := map[string]string{}
	var first *Batch
	for rank := range 2 {
		spec := Spec{Params: sampling.Params{Seed: 5, BatchSize: 5, Rank: rank, World: 2}, EndEpoch: 2,
			Layout: Layout{Streams: []Stream{Pixel, LSB, Format}, PackBits: rank == 1, Gather: true, Weights: DefaultWeights()}}
		bs, err := f.Open(ctx, cat, spec)
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := bs.Next(ctx)
			if err != nil {
				break
			}
			where := fmt.Sprintf("rank %d epoch %d batch %d", rank, b.Epoch, b.Index)
			if prev, ok := seen[b.Receipt]; ok {
				t.Fatalf("%s and %s share a receipt", prev, where)
			}
			seen[b.Receipt] = where
			r, err := ParseReceipt(b.Receipt)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if r.Position.Rank != rank || r.Position.Epoch != b.Epoch || r.Position.NextBatch != uint64(b.Index) || r.Digest != b.Digest() {
				t.Fatalf("%s: receipt names %+v", where, r.Position)
			}
			again, err := rf.Replay(ctx, cat, b.Receipt)
			if err != nil {
				t.Fatalf("%s: replay: %v", where, err)
			}
			if again.Receipt != b.Receipt || again.Cursor != b.Cursor || fmt.Sprint(again.Rows) != fmt.Sprint(b.Rows) {
				t.Fatalf("%s: replay differs", where)
			}
			// The replayed batch (and the reply's copy) is held for the
			// caller: charged until released, and given back then.
			held := rf.Stats().BudgetUsed
			again.Release()
			if freed := held - rf.Stats().BudgetUsed; freed < 2*b.Bytes() {
				t.Fatalf("%s: releasing the replayed batch gave back %d bytes of budget, want at least twice its %d bytes", where, freed, b.Bytes())
			}
			if first == nil {
				first = b
				continue
			}
			b.Release()
		}
		bs.Close()
	}
	if len(seen) < 8 {
		t.Fatalf("only %d batches streamed", len(seen))
	}

	copyRoot := treetest.Copy(t, root)
	copyCat := catalog.New(copyRoot, catalog.Options{Build: catalogtest.Build})
	copyCat.Set(catalogtest.MustBuild(t, copyRoot))
	if copyCat.Current().ID() != cat.Current().ID() {
		t.Fatal("a copy of the tree has another snapshot id")
	}
	again, err := f.Replay(ctx, copyCat, first.Receipt)
	if err != nil {
		t.Fatalf("replay over a copy of the tree: %v", err)
	}
	if again.Digest() != first.Digest() {
		t.Fatal("replay over a copy gives other bytes")
	}
	again.Release()
	victim := first.Rows[len(first.Rows)-1].Path
	data, err := os.ReadFile(filepath.Join(copyRoot, filepath.FromSlash(victim)))
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff
	if err := os.WriteFile(filepath.Join(copyRoot, filepath.FromSlash(victim)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The cache still holds the old streams: the files are checked anyway.
	_, err = f.Replay(ctx, copyCat, first.Receipt)
	if !errors.Is(err, ErrReceiptStale) || !strings.Contains(err.Error(), victim) {
		t.Fatalf("changed %s: replay gave %v, want ErrReceiptStale naming it", victim, err)
	}
	t.Logf("changed file refused: %v", err)
	first.Release()
}

// TestDigestIgnoresGather: a batch's digest is that of its bytes, whether
// they lie in one buffer or in parts, and changes with a single byte.
func TestDigestIgnoresGather(t *testing.T) {
	root, cat := corpus(t)
	f := newFeed(t, Config{})
	var digests [2][DigestLen]byte
	var plain *Batch
	for i, gather := range []bool{false, true} {
		b, err := f.Assemble(context.Background(), root, served(cat, 6), Layout{Gather: gather, Weights: DefaultWeights()})
		if err != nil {
			t.Fatal(err)
		}
		digests[i] = b.Digest()
		if gather {
			b.Release()
		} else {
			plain = b
		}
	}
	if digests[0] != digests[1] {
		t.Fatal("gathered and plain assemblies of the same samples have different digests")
	}
	defer plain.Release()
	plain.Tensors[0].Data[100] ^= 1
	if plain.Digest() == digests[0] {
		t.Fatal("a flipped bit leaves the digest unchanged")
	}
}

// TestReplayRefusesOtherExtractor: a receipt of another extraction profile
// is refused, before anything is read.
func TestReplayRefusesOtherExtractor(t *testing.T) {
	_, cat := corpus(t)
	r := sampleReceipt()
	r.ExtractorVersion = "reference-0"
	r.Position.SnapshotID = cat.Current().ID()
	_, err := newFeed(t, Config{}).Replay(context.Background(), cat, r.Encode())
	if !errors.Is(err, ErrReceiptStale) || !strings.Contains(err.Error(), "reference-0") {
		t.Fatalf("got %v", err)
	}
}

// FuzzParseReceipt: nothing makes the parser panic, and whatever it accepts
// encodes back to the same text.
func FuzzParseReceipt(f *testing.F) {
	f.Add(sampleReceipt().Encode())
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceipt(s)
		if err != nil {
			return
		}
		if r.Encode() != s {
			t.Fatalf("accepted %q, which encodes as %q", s, r.Encode())
		}
	})
}

// BenchmarkBatchDigest measures the digest of a streamed batch of 32
// samples with the default streams, gathered as a stream sends them,
// unpacked and packed: the CPU a receipt costs per batch.
func BenchmarkBatchDigest(b *testing.B) {
	root, cat := corpus(b)
	f := newFeed(b, Config{})
	for _, pack := range []bool{false, true} {
		b.Run(map[bool]string{false: "unpacked", true: "packed"}[pack], func(b *testing.B) {
			batch, err := f.Assemble(context.Background(), root, served(cat, 32), Layout{Gather: true, PackBits: pack, Weights: DefaultWeights()})
			if err != nil {
				b.Fatal(err)
			}
			defer batch.Release()
			b.SetBytes(batch.Bytes())
			b.ResetTimer()
			for range b.N {
				batch.Digest()
			}
		})
	}
}
