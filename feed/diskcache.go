package feed

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/starlight/dataserver/codec"
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

	corrupt atomic.Uint64
	errors  atomic.Uint64
}

type diskEntry struct {
	id   string
	size int64
}

var diskMagic = []byte("DSCACHE1")

// diskEntrySize is the exact size of an entry whose strings are empty.
const diskFixed = 8 + 2 + 2 + 1 + 1 + 4 + 4 + extract.PixelLen + extract.MetaLen + extract.AlphaLen +
	extract.PaletteLen + extract.PaletteLSBLen + 2*4*extract.VectorLen + sha256.Size

// maxDiskEntry bounds the file read back (fixed part plus the longest strings).
const maxDiskEntry = diskFixed + 2*0xffff + 2*0xff

func openDiskCache(dir, version string, max int64) (*diskCache, error) {
	d := &diskCache{dir: filepath.Join(dir, safeName(version)), version: version, max: max, byID: map[string]*list.Element{}}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("feed: cache dir %s: %w", d.dir, err)
	}
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
		return nil, fmt.Errorf("feed: scanning cache dir %s: %w", d.dir, err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod > all[j].mod })
	for _, f := range all {
		d.byID[f.id] = d.order.PushBack(&diskEntry{f.id, f.size})
		d.used += f.size
	}
	d.mu.Lock()
	d.evictLocked()
	d.mu.Unlock()
	return d, nil
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
	if !ok {
		return nil, false
	}
	data, err := readLimited(d.path(id), maxDiskEntry)
	if err == nil {
		var s *extract.Streams
		if s, err = decodeEntry(data, d.version, id); err == nil {
			return s, true
		}
		d.corrupt.Add(1)
	} else {
		d.errors.Add(1)
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
	data := encodeEntry(s, d.version, id)
	if int64(len(data)) > d.max {
		return nil
	}
	if err := writeAtomic(d.sub(id), id, data); err != nil {
		d.errors.Add(1)
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

func encodeEntry(s *extract.Streams, version, id string) []byte {
	out := make([]byte, 0, diskFixed+len(version)+len(id)+len(s.Format)+len(s.Mode))
	out = append(out, diskMagic...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(version)))
	out = append(out, version...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(id)))
	out = append(out, id...)
	out = append(out, byte(len(s.Format)))
	out = append(out, s.Format...)
	out = append(out, byte(len(s.Mode)))
	out = append(out, s.Mode...)
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Width))
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Height))
	out = append(out, s.Pixel...)
	out = append(out, s.Meta...)
	out = append(out, s.AlphaFull...)
	out = append(out, s.Palette...)
	out = append(out, s.PaletteLSB...)
	for _, v := range s.FormatVec {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	for _, v := range s.Content {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

var errEntry = errors.New("feed: corrupted cache entry")

func decodeEntry(data []byte, version, id string) (*extract.Streams, error) {
	if len(data) < sha256.Size+len(diskMagic) {
		return nil, fmt.Errorf("%w: %d bytes", errEntry, len(data))
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if want := sha256.Sum256(body); !bytes.Equal(sum, want[:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errEntry)
	}
	r := entryReader{b: body}
	if string(r.next(len(diskMagic))) != string(diskMagic) {
		return nil, fmt.Errorf("%w: bad magic", errEntry)
	}
	if string(r.next(int(r.u16()))) != version || string(r.next(int(r.u16()))) != id {
		return nil, fmt.Errorf("%w: version or id differ", errEntry)
	}
	s := &extract.Streams{}
	s.Format = codec.Format(r.next(int(r.u8())))
	s.Mode = codec.Mode(r.next(int(r.u8())))
	s.Width, s.Height = int(r.u32()), int(r.u32())
	planes := r.next(extract.PixelLen + extract.MetaLen + extract.AlphaLen + extract.PaletteLen + extract.PaletteLSBLen)
	for i := range s.FormatVec {
		s.FormatVec[i] = math.Float32frombits(r.u32())
	}
	for i := range s.Content {
		s.Content[i] = math.Float32frombits(r.u32())
	}
	if r.bad || len(r.b) != 0 {
		return nil, fmt.Errorf("%w: bad layout", errEntry)
	}
	// The planes alias data, read for this entry alone: no second copy.
	o := 0
	cut := func(n int) []uint8 { p := planes[o : o+n : o+n]; o += n; return p }
	s.Pixel = cut(extract.PixelLen)
	s.Meta = cut(extract.MetaLen)
	s.AlphaFull = cut(extract.AlphaLen)
	s.Palette = cut(extract.PaletteLen)
	s.PaletteLSB = cut(extract.PaletteLSBLen)
	return s, nil
}

type entryReader struct {
	b   []byte
	bad bool
}

func (r *entryReader) next(n int) []byte {
	if r.bad || n > len(r.b) {
		r.bad = true
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *entryReader) u8() uint8 {
	if p := r.next(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *entryReader) u16() uint16 {
	if p := r.next(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (r *entryReader) u32() uint32 {
	if p := r.next(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
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
