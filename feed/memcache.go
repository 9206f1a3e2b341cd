package feed

import (
	"container/list"
	"sync"

	"github.com/starlight/dataserver/extract"
)

// memCache is an LRU of extracted streams bounded by their byte size and
// charged to the feed's memory budget: it takes only bytes no stream waits
// for, and gives them back (shrink) when a stream needs them.
type memCache struct {
	mu     sync.Mutex
	max    int64
	budget *budget
	used   int64
	order  list.List // front: most recently used; values are *memEntry
	byKey  map[string]*list.Element
}

type memEntry struct {
	key  string
	s    cached
	size int64
}

func newMemCache(max int64, b *budget) *memCache {
	c := &memCache{max: max, budget: b, byKey: map[string]*list.Element{}}
	b.yield = c.shrink
	return c
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

// put stores s under key, evicting the least recently used entries until
// the cache's bound holds; streams larger than the bound, or for which the
// memory budget has no bytes to spare, are not stored.
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
		if c.evictOldest() == 0 {
			break
		}
	}
	if !c.budget.tryAcquire(size) {
		return
	}
	c.byKey[key] = c.order.PushFront(&memEntry{key: key, s: describe(s), size: size})
	c.used += size
}

// evictOldest drops the least recently used entry, gives its bytes back to
// the budget and returns them (0 when the cache is empty); mu must be held.
func (c *memCache) evictOldest() int64 {
	back := c.order.Back()
	if back == nil {
		return 0
	}
	e := c.order.Remove(back).(*memEntry)
	delete(c.byKey, e.key)
	c.used -= e.size
	c.budget.release(e.size)
	return e.size
}

// shrink evicts the least recently used entries until n bytes are freed or
// the cache is empty, and returns the bytes freed: the cache yields to
// streams waiting for budget.
func (c *memCache) shrink(n int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var freed int64
	for freed < n {
		e := c.evictOldest()
		if e == 0 {
			break
		}
		freed += e
	}
	return freed
}

// stats returns the bytes held and the number of entries.
func (c *memCache) stats() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, len(c.byKey)
}
