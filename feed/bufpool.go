package feed

import "sync"

// bufPool recycles tensor buffers by exact length: batches of one request
// shape reuse the same few buffers instead of allocating megabytes each.
type bufPool struct {
	mu    sync.Mutex
	pools map[int]*sync.Pool
}

func (p *bufPool) pool(n int) *sync.Pool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pools == nil {
		p.pools = map[int]*sync.Pool{}
	}
	sp := p.pools[n]
	if sp == nil {
		sp = &sync.Pool{}
		p.pools[n] = sp
	}
	return sp
}

// get returns a buffer of length n with unspecified contents.
func (p *bufPool) get(n int) []byte {
	if v := p.pool(n).Get(); v != nil {
		return *(v.(*[]byte))
	}
	return make([]byte, n)
}

// put gives a buffer back for reuse.
func (p *bufPool) put(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	p.pool(len(b)).Put(&b)
}
