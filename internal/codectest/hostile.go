package codectest

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
)

// Allocated returns the bytes f allocates, averaged over runs.
func Allocated(runs int, f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// RefusesHuge checks that data, whose header declares an image over the
// default limits, is refused with ErrTooLarge before anything large is
// allocated: at most 20 allocations and 4 KiB a run.
func (c Codec) RefusesHuge(t *testing.T, data []byte) {
	t.Helper()
	_, err := c.Decode(data, codec.DefaultLimits)
	if !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("Decode error %v, want ErrTooLarge", err)
	}
	allocs := testing.AllocsPerRun(100, func() { c.Decode(data, codec.DefaultLimits) })
	n := Allocated(100, func() { c.Decode(data, codec.DefaultLimits) })
	if allocs > 20 || n > 4096 {
		t.Fatalf("refusing a huge header cost %.0f allocations, %d bytes", allocs, n)
	}
}

// Truncations decodes data, which must decode whole, cut at every length:
// no cut may make Decode or DecodeConfig panic, every error must wrap
// ErrFormat, and a cut at n must be an error where mustFail(n) says so.
func (c Codec) Truncations(t *testing.T, data []byte, mustFail func(n int) bool) {
	t.Helper()
	if _, err := c.Decode(data, codec.DefaultLimits); err != nil {
		t.Fatalf("full file: %v", err)
	}
	for n := 0; n < len(data); n++ {
		_, err := c.Decode(data[:n], codec.DefaultLimits)
		if c.panicked(t, err) {
			t.Fatalf("cut at %d: %v", n, err)
		}
		if err == nil && mustFail(n) {
			t.Fatalf("cut at %d of %d decoded without error", n, len(data))
		}
		if err != nil && !errors.Is(err, codec.ErrFormat) {
			t.Fatalf("cut at %d: error %v does not wrap ErrFormat", n, err)
		}
		if _, err := c.DecodeConfig(data[:n]); err != nil && (strings.Contains(err.Error(), "internal") || c.panicked(t, err)) {
			t.Fatalf("DecodeConfig cut at %d: %v", n, err)
		}
	}
}
