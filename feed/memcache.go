package feed

import (
	"container/list"
	"sync"

	"github.com/starlight/dataserver/extract"
)

// memCache is an LRU of extracted streams bounded by their byte size.
type memCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order list.List // front: most recently used; values are *memEntry
	byKey map[string]*list.Element
}

type memEntry struct {
	key  string
	s    cached
	size int64
}

func newMemCache(max int64) *memCache {
	return &memCache{max: max, byKey: map[string]*list.Element{}}
}

// get returns the streams under key and marks them recently used.
func (c *memCache) get(key string) (*extract.Streams, bool) {
	e, ok := c.lookup(key)
	return e.s, ok
}

// lookup returns the entry under key and marks it recently used.
func (c *memCache) lookup(key string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return cached{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*memEntry).s, true
}

// put stores s under key, evicting the least recently used entries until the
// budget holds; streams larger than the whole budget are not stored.
func (c *memCache) put(key string, s *extract.Streams) {
	size := int64(s.Bytes()) + packedExtra
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return
	}
	for c.used+size > c.max {
		back := c.order.Back()
		if back == nil {
			break
		}
		e := c.order.Remove(back).(*memEntry)
		delete(c.byKey, e.key)
		c.used -= e.size
	}
	c.byKey[key] = c.order.PushFront(&memEntry{key: key, s: describe(s), size: size})
	c.used += size
}

// stats returns the bytes held and the number of entries.
func (c *memCache) stats() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, len(c.byKey)
}
