package feed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/extract"
)

func fakeStreams(fill byte) *extract.Streams {
	s := &extract.Streams{Format: "PNG", Mode: "RGB", Width: 300, Height: 200,
		Pixel: bytes.Repeat([]byte{fill}, extract.PixelLen), Meta: bytes.Repeat([]byte{fill + 1}, extract.MetaLen),
		AlphaFull: bytes.Repeat([]byte{fill + 2}, extract.AlphaLen), Palette: bytes.Repeat([]byte{fill + 3}, extract.PaletteLen),
		PaletteLSB: bytes.Repeat([]byte{1}, extract.PaletteLSBLen)}
	s.FormatVec[4], s.Content[2] = 1.25, 0.5
	return s
}

// TestMemCacheBudget: the byte budget always holds and the least recently
// used entry goes first.
func TestMemCacheBudget(t *testing.T) {
	size := int64(fakeStreams(0).Bytes())
	c := newMemCache(3*size+size/2, newBudget(1<<40))
	for i := 0; i < 3; i++ {
		c.put(fmt.Sprint(i), fakeStreams(byte(i)))
	}
	if _, ok := c.get("0"); !ok { // 0 is now the most recent
		t.Fatal("entry 0 missing before the budget is reached")
	}
	c.put("3", fakeStreams(3))
	used, n := c.stats()
	if used > c.max || n != 3 {
		t.Fatalf("%d bytes in %d entries, budget %d", used, n, c.max)
	}
	if _, ok := c.get("1"); ok {
		t.Fatal("the least recently used entry (1) survived")
	}
	for _, k := range []string{"0", "2", "3"} {
		if _, ok := c.get(k); !ok {
			t.Fatalf("entry %s evicted", k)
		}
	}
	tiny := newMemCache(size-1, newBudget(1<<40))
	tiny.put("x", fakeStreams(9))
	if used, _ := tiny.stats(); used != 0 {
		t.Fatal("an entry over the whole budget was stored")
	}
}

// TestDiskCache: entries survive a reopen, corrupted and truncated ones are
// misses and removed, leftovers of interrupted writes are cleaned, and the
// byte budget evicts the oldest.
func TestDiskCache(t *testing.T) {
	dir := t.TempDir()
	id := func(i int) string { return fmt.Sprintf("%064x", i+1) }
	var entry int64 // the largest of the three: compressed entries differ in size
	for i := 0; i < 3; i++ {
		entry = max(entry, int64(len(encodeEntry(fakeStreams(byte(10*i)), extract.Version, id(i)))))
	}
	d, err := openDiskCache(dir, extract.Version, 2*entry, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := d.put(id(i), fakeStreams(byte(10*i))); err != nil {
			t.Fatal(err)
		}
	}
	if used, n := d.stats(); used > 2*entry || n != 2 {
		t.Fatalf("%d bytes in %d entries over a budget of 2 entries", used, n)
	}
	if _, ok := d.get(id(0)); ok {
		t.Fatal("the oldest entry survived the budget")
	}
	if _, err := os.Stat(d.path(id(0))); !os.IsNotExist(err) {
		t.Fatalf("evicted entry still on disk: %v", err)
	}
	// A leftover temporary file is removed at open; entries survive.
	leftover := filepath.Join(d.sub(id(1)), id(1)+".123.tmp")
	if err := os.WriteFile(leftover, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	var problems []DiskProblem
	d2, err := openDiskCache(dir, extract.Version, 2*entry, func(p DiskProblem) { problems = append(problems, p) })
	if err != nil {
		t.Fatal(err)
	}
	<-d2.scanned
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatal("temporary leftover not removed by the start-up scan")
	}
	if _, n := d2.stats(); n != 2 {
		t.Fatalf("the scan listed %d entries, want 2", n)
	}
	got, ok := d2.get(id(2))
	if !ok {
		t.Fatal("entry lost across a reopen")
	}
	want := fakeStreams(20)
	if !bytes.Equal(got.Pixel, want.Pixel) || !bytes.Equal(got.Meta, want.Meta) || !bytes.Equal(got.AlphaFull, want.AlphaFull) ||
		!bytes.Equal(got.Palette, want.Palette) || !bytes.Equal(got.PaletteLSB, want.PaletteLSB) ||
		got.FormatVec != want.FormatVec || got.Content != want.Content || got.Width != 300 || got.Mode != "RGB" {
		t.Fatal("entry read back differs")
	}
	// Flip one byte: a miss, and the file is gone.
	p := d2.path(id(1))
	data, _ := os.ReadFile(p)
	data[len(data)/2] ^= 0x40
	os.WriteFile(p, data, 0o644)
	if _, ok := d2.get(id(1)); ok {
		t.Fatal("corrupted entry served")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("corrupted entry kept")
	}
	// Truncate the other.
	p = d2.path(id(2))
	data, _ = os.ReadFile(p)
	os.WriteFile(p, data[:len(data)-100], 0o644)
	if _, ok := d2.get(id(2)); ok {
		t.Fatal("truncated entry served")
	}
	if d2.corrupt.Load() != 2 {
		t.Fatalf("corrupt count %d, want 2", d2.corrupt.Load())
	}
	// Reports are rate-limited: the second corruption within
	// DiskReportEvery is counted, not reported.
	if len(problems) != 1 || problems[0].Kind != DiskCorrupt || problems[0].ID != id(1) || problems[0].Err == nil {
		t.Fatalf("problems reported %+v, want the first corruption only", problems)
	}
	// Another extractor version does not see these entries.
	d3, _ := openDiskCache(dir, "other-version", 2*entry, nil)
	if _, ok := d3.get(id(2)); ok {
		t.Fatal("entry of another extractor version served")
	}
}

// TestFeedRestartUsesDisk: a second feed over the same cache dir serves a
// real corpus image from disk without extracting, bit for bit.
func TestFeedRestartUsesDisk(t *testing.T) {
	root, cat := corpus(t)
	dir := t.TempDir()
	s := served(cat, 3)
	f1 := newFeed(t, Config{CacheDir: dir})
	var first []*extract.Streams
	for _, smp := range s {
		st, err := f1.Load(context.Background(), root, smp)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, st)
	}
	if st := f1.Stats(); st.CacheMisses != 3 || st.DiskEntries != 3 {
		t.Fatalf("first feed: %+v", st)
	}
	f2 := newFeed(t, Config{CacheDir: dir})
	for i, smp := range s {
		st, err := f2.Load(context.Background(), root, smp)
		if err != nil {
			t.Fatal(err)
		}
		sameStreams(t, smp.Path, first[i], st) // every stream, the derived ones too
	}
	if st := f2.Stats(); st.CacheMisses != 0 || st.DiskHits != 3 {
		t.Fatalf("restarted feed extracted again: %+v", st)
	}
}

// TestChangedFileRefused: a file whose bytes no longer hash to its content
// id is not served.
func TestChangedFileRefused(t *testing.T) {
	root, cat := corpus(t)
	smp := *served(cat, 1)[0]
	smp.ID = fmt.Sprintf("%064x", 7)
	f := newFeed(t, Config{})
	if _, err := f.Load(context.Background(), root, &smp); err == nil {
		t.Fatal("a file with another content id was served")
	}
	bad := smp
	bad.Path = "../outside.png"
	if _, err := f.Load(context.Background(), root, &bad); err == nil {
		t.Fatal("a path out of the root was read")
	}
}

// FuzzDecodeEntry: no input makes the disk entry decoder panic, and an
// entry it accepts re-encodes to the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	const id = "00000000000000000000000000000000000000000000000000000000000000aa"
	f.Add(encodeEntry(fakeStreams(3), extract.Version, id))
	f.Add([]byte("DSCACHE1"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxDiskEntry {
			return
		}
		s, err := decodeEntry(data, extract.Version, id)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeEntry(s, extract.Version, id), data) {
			t.Fatal("accepted entry does not re-encode to itself")
		}
	})
}
