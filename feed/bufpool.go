package feed

import "sync"

// maxIdleBufferBytes bounds the memory the buffer pool keeps unused, at
// most; a feed keeps a quarter of its memory budget.
const maxIdleBufferBytes = 128 << 20

// bufPool recycles tensor buffers by exact length: batches of one request
// shape reuse the same few buffers instead of allocating megabytes each.
// Unlike a sync.Pool it keeps them across garbage collections (a stream's
// buffers are reused batch after batch, not reallocated after every GC),
// bounded by max bytes; beyond that, returned buffers are dropped.
type bufPool struct {
	mu   sync.Mutex
	max  int64
	idle int64
	free map[int][][]byte
}

// get returns a buffer of length n with unspecified contents.
func (p *bufPool) get(n int) []byte {
	p.mu.Lock()
	if l := p.free[n]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[n] = l[:len(l)-1]
		p.idle -= int64(n)
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return make([]byte, n)
}

// put gives a buffer back for reuse.
func (p *bufPool) put(b []byte) {
	n := cap(b)
	if n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle+int64(n) > p.max {
		return
	}
	if p.free == nil {
		p.free = map[int][][]byte{}
	}
	p.free[n] = append(p.free[n], b[:n])
	p.idle += int64(n)
}

// idleBytes returns the bytes held unused.
func (p *bufPool) idleBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle
}
