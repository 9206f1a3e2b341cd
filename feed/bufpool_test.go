package feed

import (
	"runtime"
	"testing"
)

// TestBufPoolKeepsBuffersAcrossGC: a returned buffer comes back for the same
// length even after garbage collections, never for another length, and the
// idle memory stays under its bound.
func TestBufPoolKeepsBuffersAcrossGC(t *testing.T) {
	p := bufPool{max: maxIdleBufferBytes}
	a := p.get(1 << 20)
	p.put(a)
	runtime.GC()
	runtime.GC()
	if b := p.get(1 << 20); &b[0] != &a[0] {
		t.Fatal("buffer not reused after GC")
	}
	if c := p.get(1<<20 + 8); &c[0] == &a[0] || len(c) != 1<<20+8 {
		t.Fatal("buffer of another length handed out")
	}
	if p.idleBytes() != 0 {
		t.Fatalf("%d idle bytes after taking everything back", p.idleBytes())
	}
	big := maxIdleBufferBytes / 4
	for i := 0; i < 6; i++ {
		p.put(make([]byte, big))
	}
	if p.idleBytes() > maxIdleBufferBytes {
		t.Fatalf("%d idle bytes, bound %d", p.idleBytes(), maxIdleBufferBytes)
	}
	p.put(nil) // ignored
}
