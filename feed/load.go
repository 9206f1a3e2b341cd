package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/guard"
)

// Load returns the streams of one sample of the tree at root: from the
// memory cache, else from the disk cache, else by reading and extracting the
// file in the worker pool. Concurrent loads of one content id share a single
// extraction, which finishes (and is cached) even when ctx ends first.
func (f *Feed) Load(ctx context.Context, root string, s *index.Sample) (*extract.Streams, error) {
	key := cacheKey(s.ID)
	if st, ok := f.mem.get(key); ok {
		f.hits.Add(1)
		return st, nil
	}
	f.mu.Lock()
	c, joined := f.inflight[key]
	if !joined {
		c = &call{done: make(chan struct{})}
		f.inflight[key] = c
	}
	f.mu.Unlock()
	if !joined {
		go f.run(c, key, root, *s)
	}
	select {
	case <-c.done:
		return c.s, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *Feed) run(c *call, key, root string, s index.Sample) {
	defer func() {
		f.mu.Lock()
		delete(f.inflight, key)
		f.mu.Unlock()
		close(c.done)
	}()
	f.workers <- struct{}{}
	defer func() { <-f.workers }()

	if f.disk != nil {
		if st, ok := f.disk.get(s.ID); ok {
			f.hits.Add(1)
			f.diskHits.Add(1)
			f.mem.put(key, st)
			c.s = st
			return
		}
	}
	f.misses.Add(1)
	start := time.Now()
	st, err := f.extractFile(root, &s)
	d := time.Since(start)
	f.lat.observe(d)
	if f.cfg.OnExtract != nil {
		f.cfg.OnExtract(d, err)
	}
	if err != nil {
		f.extractErrors.Add(1)
		c.err = err
		return
	}
	f.mem.put(key, st)
	if f.disk != nil {
		f.disk.put(s.ID, st) // a failed write only costs a later decode
	}
	c.s = st
}

// extractFile reads the sample's file inside root (never following a link
// out of it), checks that its bytes still hash to the content id, and
// extracts its streams.
func (f *Feed) extractFile(root string, s *index.Sample) (st *extract.Streams, err error) {
	defer func() {
		if p := guard.Recovered("feed", recover()); p != nil {
			st, err = nil, fmt.Errorf("%w: %s: %w", ErrSample, s.Path, p)
		}
	}()
	rel := filepath.FromSlash(s.Path)
	if !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("%w: %s: path leaves the root", ErrSample, s.Path)
	}
	data, err := readInRoot(root, rel, f.maxFileSize())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSample, s.Path, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != s.ID {
		return nil, fmt.Errorf("%w: %s: content changed since indexing (sha256 %s, indexed %s); reindex", ErrSample, s.Path, got[:12], short(s.ID))
	}
	st, err = extract.Extract(data, f.cfg.Extract)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSample, s.Path, err)
	}
	return st, nil
}

func (f *Feed) maxFileSize() int64 {
	if f.cfg.Extract.MaxFileSize > 0 {
		return f.cfg.Extract.MaxFileSize
	}
	return extract.DefaultMaxFileSize
}

func readInRoot(root, rel string, limit int64) ([]byte, error) {
	file, err := os.OpenInRoot(root, rel)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", info.Mode().Type())
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("file of %d bytes exceeds the limit of %d", info.Size(), limit)
	}
	data := make([]byte, info.Size())
	if _, err := io.ReadFull(file, data); err != nil {
		return nil, fmt.Errorf("reading %d bytes: %w", len(data), err)
	}
	return data, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
