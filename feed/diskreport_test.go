package feed

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/starlight/dataserver/extract"
)

// TestDiskReportRateLimited: one report per kind per DiskReportEvery, the
// next one carrying the count held back; kinds do not hold each other back.
func TestDiskReportRateLimited(t *testing.T) {
	var got []DiskProblem
	r := newDiskReporter(func(p DiskProblem) { got = append(got, p) })
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		r.report(DiskProblem{Kind: DiskCorrupt, ID: fmt.Sprint(i)})
	}
	r.report(DiskProblem{Kind: DiskWriteFailed, ID: "w"})
	now = now.Add(DiskReportEvery)
	r.report(DiskProblem{Kind: DiskCorrupt, ID: "3"})
	want := []DiskProblem{{Kind: DiskCorrupt, ID: "0"}, {Kind: DiskWriteFailed, ID: "w"}, {Kind: DiskCorrupt, ID: "3", Suppressed: 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reports %+v, want %+v", got, want)
	}
}

// TestDiskWriteFailureCounted: a cache whose folder cannot be written
// (a file stands where an entry's folder goes, as a full or broken disk
// would refuse it) counts and reports the failure; the feed goes on.
func TestDiskWriteFailureCounted(t *testing.T) {
	dir := t.TempDir()
	var problems []DiskProblem
	d, err := openDiskCache(dir, extract.Version, 1<<30, func(p DiskProblem) { problems = append(problems, p) })
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%064x", 5)
	if err := os.WriteFile(filepath.Join(d.dir, id[:2]), []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.put(id, fakeStreams(1)); err == nil {
		t.Fatal("a write into a file succeeded")
	}
	if d.writeErrors.Load() != 1 || len(problems) != 1 || problems[0].Kind != DiskWriteFailed || problems[0].Err == nil {
		t.Fatalf("write errors %d, problems %+v", d.writeErrors.Load(), problems)
	}
	if _, ok := d.get(id); ok {
		t.Fatal("an entry that was not written was found")
	}
}

// TestDiskEntryBeforeScan: right after a restart, before the background
// scan has listed the cache, an entry is found by its file; an entry of
// the previous layout is dropped without counting as corrupt.
func TestDiskEntryBeforeScan(t *testing.T) {
	dir := t.TempDir()
	d, err := openDiskCache(dir, extract.Version, 1<<30, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-d.scanned
	id, old := fmt.Sprintf("%064x", 1), fmt.Sprintf("%064x", 2)
	if err := d.put(id, fakeStreams(4)); err != nil {
		t.Fatal(err)
	}
	stale := append([]byte("DSCACHE1"), make([]byte, 100)...)
	sum := sha256.Sum256(stale)
	if err := writeAtomic(d.sub(old), old, append(stale, sum[:]...)); err != nil {
		t.Fatal(err)
	}
	d2 := &diskCache{dir: d.dir, version: d.version, max: d.max, byID: map[string]*list.Element{},
		reporter: newDiskReporter(nil), scanned: make(chan struct{}), removed: map[string]bool{}} // a scan that has not run
	got, ok := d2.get(id)
	if !ok {
		t.Fatal("entry not found before the scan")
	}
	sameStreams(t, id, fakeStreams(4), got)
	if _, n := d2.stats(); n != 1 {
		t.Fatalf("%d entries registered, want 1", n)
	}
	if _, ok := d2.get(old); ok || d2.corrupt.Load() != 0 {
		t.Fatalf("an entry of the previous layout: served %v, corrupt count %d", ok, d2.corrupt.Load())
	}
	if _, err := os.Stat(d2.path(old)); !os.IsNotExist(err) {
		t.Fatal("the entry of the previous layout was kept")
	}
	go d2.scan()
	<-d2.scanned
	if _, n := d2.stats(); n != 1 {
		t.Fatalf("after the scan %d entries, want 1", n)
	}
}
