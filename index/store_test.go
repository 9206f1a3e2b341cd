package index

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/starlight/dataserver/extract"
)

// storeTree is baseTree with a manifest and a file with an error problem,
// so the store round-trips every kind of record.
func storeTree(t *testing.T) *tree {
	tr := baseTree(t)
	tr.lines("a_submission_2025/negatives/manifest.jsonl",
		map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": "clean"})
	tr.write("a_submission_2025/clean/broken.png", encPNG(t, opaque(picture(4, 32, 32)))[:60])
	return tr
}

// openStore opens the store of tr under dir and collects its events.
func openStore(t *testing.T, dir string, tr *tree) (*Store, *[]StoreEvent) {
	t.Helper()
	var events []StoreEvent
	s, err := OpenStore(dir, tr.root, Options{}, func(e StoreEvent) { events = append(events, e) })
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &events
}

// buildCounting builds with the store and counts, from outside the index,
// the files opened and the images decoded (handed to Options.Extracted).
func buildCounting(t *testing.T, tr *tree, s *Store) (snap *Snapshot, opened map[string]int, decoded int) {
	t.Helper()
	var n atomic.Int64
	opened = countOpens(t, func() {
		snap = tr.build(Options{Store: s, Extracted: func(string, *extract.Streams) { n.Add(1) }})
	})
	return snap, opened, int(n.Load())
}

func TestStoreRestartUnchanged(t *testing.T) {
	tr := storeTree(t)
	dir := t.TempDir()
	s1, _ := openStore(t, dir, tr)
	cold, opened, decoded := buildCounting(t, tr, s1)
	if len(opened) != 7 || decoded != 4 {
		t.Fatalf("cold build opened %d files and decoded %d images, want 7 and 4: %v", len(opened), decoded, opened)
	}
	s1.Close()

	s2, events := openStore(t, dir, tr)
	warm, opened, decoded := buildCounting(t, tr, s2)
	if len(opened) != 0 || decoded != 0 {
		t.Errorf("restart over an unchanged tree opened %v and decoded %d images, want none", opened, decoded)
	}
	if len(*events) != 0 {
		t.Errorf("events on a sound store: %+v", *events)
	}
	if warm.ID != cold.ID || !Diff(cold, warm).Empty() {
		t.Errorf("restart snapshot %s differs from cold %s: %+v", warm.ID, cold.ID, Diff(cold, warm))
	}
	if !reflect.DeepEqual(warm.Problems, cold.Problems) || !reflect.DeepEqual(warm.Samples, cold.Samples) {
		t.Errorf("restart samples or problems differ:\n%s\nvs cold:\n%s", dump(warm), dump(cold))
	}
	if !hasProblem(warm, CodeTruncated, "a_submission_2025/clean/broken.png", 0) && !hasProblem(warm, CodeHeader, "a_submission_2025/clean/broken.png", 0) {
		t.Errorf("the broken file's problem was not kept:\n%s", dump(warm))
	}
}

func TestStoreRereadsChangedFiles(t *testing.T) {
	tr := storeTree(t)
	dir := t.TempDir()
	s1, _ := openStore(t, dir, tr)
	tr.build(Options{Store: s1})
	s1.Close()

	// While the server is down: one image rewritten, one removed, one added.
	changed := "a_submission_2025/clean/c2.png"
	time.Sleep(10 * time.Millisecond)
	tr.write(changed, encPNG(t, opaque(picture(9, 40, 48))))
	if err := os.Remove(tr.path("a_submission_2025/clean/c1.png")); err != nil {
		t.Fatal(err)
	}
	added := "a_submission_2025/clean/c3.png"
	tr.write(added, encPNG(t, opaque(picture(10, 24, 24))))

	s2, _ := openStore(t, dir, tr)
	warm, opened, _ := buildCounting(t, tr, s2)
	want := map[string]int{changed: 1, added: 1}
	if !reflect.DeepEqual(opened, want) {
		t.Errorf("restart opened %v, want only the changed and the added file %v", opened, want)
	}
	fresh := tr.build(Options{})
	if warm.ID != fresh.ID {
		t.Errorf("restart snapshot %s, a fresh build says %s: %+v", warm.ID, fresh.ID, Diff(fresh, warm))
	}
	s2.Close()

	// The removal was written too: a third start reads nothing.
	s3, _ := openStore(t, dir, tr)
	again, opened, _ := buildCounting(t, tr, s3)
	if len(opened) != 0 || again.ID != fresh.ID {
		t.Errorf("third start opened %v, snapshot %s want %s", opened, again.ID, fresh.ID)
	}
}

// checkRebuilt asserts the store was moved aside once and that a build
// read every file again and agrees with a fresh build.
func checkRebuilt(t *testing.T, tr *tree, s *Store, ev *[]StoreEvent, cold *Snapshot) {
	t.Helper()
	snap, opened, _ := buildCounting(t, tr, s)
	events := *ev
	if len(events) != 1 || events[0].Kind != StoreMovedAside || events[0].Err == nil {
		t.Fatalf("events %+v, want one %s with its reason", events, StoreMovedAside)
	}
	t.Logf("reason: %v", events[0].Err)
	if _, err := os.Stat(events[0].MovedTo); err != nil {
		t.Errorf("the untrusted store is not at %s: %v", events[0].MovedTo, err)
	}
	if len(opened) != 7 {
		t.Errorf("after a rebuild opened %d files, want all 7: %v", len(opened), opened)
	}
	if snap.ID != cold.ID {
		t.Errorf("rebuilt snapshot %s, cold %s", snap.ID, cold.ID)
	}
}

func TestStoreGarbageRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"whole file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 4096), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"data pages", func(t *testing.T, path string) {
			// The two meta pages stay valid; everything after them is garbage.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			page := os.Getpagesize()
			for i := 2 * page; i < len(data); i++ {
				data[i] = byte(i*7 + 3)
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"one record", func(t *testing.T, path string) {
			// A well-formed bbolt file whose record was altered: the
			// checksum catches it.
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketFiles)
				k := []byte("a_submission_2025/clean/c1.png")
				v := append([]byte(nil), b.Get(k)...)
				v = bytes.Replace(v, []byte(`"img":true`), []byte(`"img":fals`), 1)
				return b.Put(k, v)
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := storeTree(t)
			dir := t.TempDir()
			s1, _ := openStore(t, dir, tr)
			cold := tr.build(Options{Store: s1})
			s1.Close()
			tc.damage(t, s1.Path())
			s2, events := openStore(t, dir, tr)
			checkRebuilt(t, tr, s2, events, cold)
		})
	}
}

func TestStoreForeignRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name, key, value string
	}{
		{"index version", "version", "store 0; extractor reference-0"},
		{"magic", "magic", "someone else's database"},
		{"root", "root", "/elsewhere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := storeTree(t)
			dir := t.TempDir()
			s1, _ := openStore(t, dir, tr)
			cold := tr.build(Options{Store: s1})
			s1.Close()
			db, err := bolt.Open(s1.Path(), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte(tc.key), []byte(tc.value)) })
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			s2, events := openStore(t, dir, tr)
			checkRebuilt(t, tr, s2, events, cold)
		})
	}
	t.Run("other bolt database", func(t *testing.T) {
		tr := storeTree(t)
		dir := t.TempDir()
		path := StorePath(dir, tr.root)
		if err := os.MkdirAll(dir+"/index", 0o755); err != nil {
			t.Fatal(err)
		}
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("accounts"))
			if err != nil {
				return err
			}
			return b.Put([]byte("alice"), []byte("1"))
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		cold := tr.build(Options{})
		s, events := openStore(t, dir, tr)
		checkRebuilt(t, tr, s, events, cold)
	})
}

func TestStoreSettingsChangeRebuilds(t *testing.T) {
	tr := storeTree(t)
	dir := t.TempDir()
	s1, _ := openStore(t, dir, tr)
	tr.build(Options{Store: s1})
	s1.Close()
	var events []StoreEvent
	s2, err := OpenStore(dir, tr.root, Options{MaxFileSize: 1 << 20}, func(e StoreEvent) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if len(events) != 1 || events[0].Kind != StoreMovedAside {
		t.Errorf("a store written under other limits was trusted: %+v", events)
	}
}

// FuzzStoreRecord: no value makes the record decoder panic, and a record
// it accepts encodes back to a record that decodes to the same result.
func FuzzStoreRecord(f *testing.F) {
	const key = "a_submission_2025/negatives/manifest.jsonl"
	r := &fileResult{size: 10, mtime: time.Unix(5, 6), change: stamp{ino: 7, ctime: 8}, id: "ab", image: true, headerOK: true,
		probs: []Problem{{Severity: SeverityWarning, Code: CodeStrayFile, Path: key, Line: 2, Message: "m"}}, checkKey: "negative+decoded",
		sidecar: Sidecar{Technique: "alpha", BitOrder: BitOrder(1)}, sidecarOK: true, manifest: []ManifestEntry{{Line: 1, Paths: []string{"x.png"}}}}
	v, err := encodeRecord(key, r)
	if err != nil {
		f.Fatal(err)
	}
	if back, err := decodeRecord(key, v); err != nil || !reflect.DeepEqual(back, r) {
		f.Fatalf("round trip: %v\n%+v\n%+v", err, back, r)
	}
	f.Add(v)
	f.Add([]byte{1, 2, 3, 4, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeRecord(key, data)
		if err != nil {
			return
		}
		again, err := encodeRecord(key, got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeRecord(key, again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("accepted record does not survive a second round: %v\n%+v\n%+v", err, got, back)
		}
	})
}

// TestStoreBusy: a store held by another server (bbolt's file lock) is
// refused with an error after a short wait, never opened twice nor moved.
func TestStoreBusy(t *testing.T) {
	tr := storeTree(t)
	dir := t.TempDir()
	s1, _ := openStore(t, dir, tr)
	var events []StoreEvent
	s2, err := OpenStore(dir, tr.root, Options{}, func(e StoreEvent) { events = append(events, e) })
	if err == nil {
		s2.Close()
		t.Fatal("a store held by another opener was opened again")
	}
	if !errors.Is(err, errStoreBusy) || len(events) != 0 {
		t.Fatalf("error %v, events %+v; want errStoreBusy and no event", err, events)
	}
	if _, err := os.Stat(s1.Path()); err != nil {
		t.Fatalf("the held store was moved: %v", err)
	}
}
