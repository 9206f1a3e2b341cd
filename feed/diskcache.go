package feed

import (
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/starlight/dataserver/extract"
)

// diskCache keeps extracted streams in files under dir/<version>/, one file
// per content id, written atomically (temporary file then rename), each
// ending in a sha256 of its contents; an entry that fails the check is
// removed and treated as a miss. The total size is bounded; the least
// recently used entries (by this process, then by file time) go first.
type diskCache struct {
	dir     string
	version string
	max     int64

	mu    sync.Mutex
	used  int64
	order list.List // front: most recently used; values are *diskEntry
	byID  map[string]*list.Element

	corrupt, readErrors, writeErrors atomic.Uint64
	reporter                         *diskReporter

	// scanned is closed when the start-up scan is done; until then removed
	// holds the ids removed, so the scan does not list them again.
	scanned chan struct{}
	removed map[string]bool
}

type diskEntry struct {
	id   string
	size int64
}

// openDiskCache opens the cache under dir/<version>; the entries already
// on disk are listed in the background (see scan), so a large cache does
// not delay the server's start.
func openDiskCache(dir, version string, max int64, report func(DiskProblem)) (*diskCache, error) {
	d := &diskCache{dir: filepath.Join(dir, safeName(version)), version: version, max: max, byID: map[string]*list.Element{},
		reporter: newDiskReporter(report), scanned: make(chan struct{}), removed: map[string]bool{}}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("feed: cache dir %s: %w", d.dir, err)
	}
	go d.scan()
	return d, nil
}

// scan lists the entries on disk, newest first behind those this process
// used already, removes leftovers of interrupted writes, and applies the
// byte budget. Until it is done, get and put look for an entry's file
// directly.
func (d *diskCache) scan() {
	defer close(d.scanned)
	type found struct {
		id   string
		size int64
		mod  int64
	}
	var all []found
	err := filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(p) // left by a crash between write and rename
			return nil
		}
		id, ok := strings.CutSuffix(name, ".dsc")
		if !ok || !validID(id) || filepath.Dir(p) != d.sub(id) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		all = append(all, found{id, info.Size(), info.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		d.readErrors.Add(1)
		d.reporter.report(DiskProblem{Kind: DiskReadFailed, Err: fmt.Errorf("feed: scanning cache dir %s: %w", d.dir, err)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod > all[j].mod })
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range all {
		if _, ok := d.byID[f.id]; !ok && !d.removed[f.id] {
			d.byID[f.id] = d.order.PushBack(&diskEntry{f.id, f.size})
			d.used += f.size
		}
	}
	d.removed = nil
	d.evictLocked()
}

// scanning tells whether the start-up scan is still running.
func (d *diskCache) scanning() bool {
	select {
	case <-d.scanned:
		return false
	default:
		return true
	}
}

// register records an entry found on disk before the scan listed it.
func (d *diskCache) register(id string, size int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byID[id]; !ok {
		d.byID[id] = d.order.PushFront(&diskEntry{id, size})
		d.used += size
		d.evictLocked()
	}
}

func (d *diskCache) sub(id string) string  { return filepath.Join(d.dir, id[:2]) }
func (d *diskCache) path(id string) string { return filepath.Join(d.sub(id), id+".dsc") }

// get reads the entry of id; a missing, unreadable or corrupted entry is a
// miss (and a corrupted one is removed).
func (d *diskCache) get(id string) (*extract.Streams, bool) {
	if !validID(id) {
		return nil, false
	}
	d.mu.Lock()
	el, ok := d.byID[id]
	if ok {
		d.order.MoveToFront(el)
	}
	d.mu.Unlock()
	if !ok && !d.scanning() {
		return nil, false
	}
	data, err := readLimited(d.path(id), maxDiskEntry)
	if !ok && errors.Is(err, fs.ErrNotExist) {
		return nil, false // not on disk (the scan has not listed everything yet)
	}
	if err == nil {
		var s *extract.Streams
		switch s, err = decodeEntry(data, d.version, id); {
		case err == nil:
			if !ok {
				d.register(id, int64(len(data)))
			}
			return s, true
		case errors.Is(err, errStaleEntry):
		default:
			d.corrupt.Add(1)
			d.reporter.report(DiskProblem{Kind: DiskCorrupt, ID: id, Err: err})
		}
	} else {
		d.readErrors.Add(1)
		d.reporter.report(DiskProblem{Kind: DiskReadFailed, ID: id, Err: err})
	}
	d.drop(id)
	return nil, false
}

// put writes the entry of id unless it is there already.
func (d *diskCache) put(id string, s *extract.Streams) error {
	if !validID(id) {
		return nil
	}
	d.mu.Lock()
	_, ok := d.byID[id]
	d.mu.Unlock()
	if ok {
		return nil
	}
	if d.scanning() {
		if fi, err := os.Stat(d.path(id)); err == nil && fi.Mode().IsRegular() {
			d.register(id, fi.Size())
			return nil
		}
	}
	data := encodeEntry(s, d.version, id)
	if int64(len(data)) > d.max {
		return nil
	}
	if err := writeAtomic(d.sub(id), id, data); err != nil {
		d.writeErrors.Add(1)
		d.reporter.report(DiskProblem{Kind: DiskWriteFailed, ID: id, Err: err})
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byID[id]; !ok {
		d.byID[id] = d.order.PushFront(&diskEntry{id, int64(len(data))})
		d.used += int64(len(data))
	}
	d.evictLocked()
	return nil
}

func (d *diskCache) drop(id string) {
	d.mu.Lock()
	if d.removed != nil {
		d.removed[id] = true
	}
	if el, ok := d.byID[id]; ok {
		e := d.order.Remove(el).(*diskEntry)
		delete(d.byID, id)
		d.used -= e.size
	}
	d.mu.Unlock()
	os.Remove(d.path(id))
}

func (d *diskCache) evictLocked() {
	for d.used > d.max {
		back := d.order.Back()
		if back == nil {
			return
		}
		e := d.order.Remove(back).(*diskEntry)
		delete(d.byID, e.id)
		d.used -= e.size
		if d.removed != nil {
			d.removed[e.id] = true
		}
		os.Remove(d.path(e.id))
	}
}

// stats returns the bytes on disk and the number of entries.
func (d *diskCache) stats() (int64, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used, len(d.byID)
}

func writeAtomic(dir, id string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("feed: cache dir %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, id+".*.tmp")
	if err != nil {
		return fmt.Errorf("feed: cache entry %s: %w", id, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(dir, id+".dsc"))
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("feed: writing cache entry %s: %w", id, werr)
	}
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > limit || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("feed: cache entry %s: %d bytes, not a regular file of at most %d", path, info.Size(), limit)
	}
	buf := make([]byte, info.Size())
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	return buf, nil
}

// validID accepts the lowercase hex content ids the index writes.
func validID(id string) bool {
	if len(id) < 16 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// safeName keeps letters, digits, '.', '-' and '_' of a version name.
func safeName(v string) string {
	var b strings.Builder
	for _, c := range v {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || v == "." || v == ".." {
		return "default"
	}
	return b.String()
}
