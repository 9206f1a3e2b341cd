package codectest

import (
	"errors"
	"testing"

	"github.com/starlight/dataserver/codec"
)

// TestPlanes checks that the shared plane check refuses a short RGB plane
// and passes on the format's own verdict.
func TestPlanes(t *testing.T) {
	bad := errors.New("format rule broken")
	c := Codec{Planes: func(img *codec.Image) error {
		if img.Alpha != nil {
			return bad
		}
		return nil
	}}
	img := &codec.Image{Config: codec.Config{Width: 2, Height: 3}, RGB: make([]byte, 18)}
	if err := c.planes(img); err != nil {
		t.Fatalf("good image: %v", err)
	}
	img.Alpha = make([]byte, 6)
	if err := c.planes(img); !errors.Is(err, bad) {
		t.Fatalf("format rule: got %v, want %v", err, bad)
	}
	img.Alpha, img.RGB = nil, img.RGB[:17]
	if err := c.planes(img); err == nil {
		t.Fatal("17 RGB bytes for 2x3 accepted")
	}
}

// TestPanicked checks that only errors carrying the codec's panic text
// count as recovered panics.
func TestPanicked(t *testing.T) {
	c := Codec{Panic: "internal decoder failure"}
	for err, want := range map[error]bool{
		nil:                        false,
		errors.New("png: bad CRC"): false,
		codec.Errorf("png: internal decoder failure: index out of range"): true,
	} {
		if got := c.panicked(t, err); got != want {
			t.Errorf("panicked(%v) = %v, want %v", err, got, want)
		}
	}
}

// TestAllocated checks that Allocated sees an allocation of a known size.
func TestAllocated(t *testing.T) {
	var sink []byte
	if n := Allocated(10, func() { sink = make([]byte, 1<<20) }); n < 1<<20 {
		t.Fatalf("Allocated saw %d bytes a run, want at least 1 MiB", n)
	}
	_ = sink
}

// TestPlane checks the per-pixel plane rule: present exactly when asked,
// and a byte a pixel.
func TestPlane(t *testing.T) {
	img := &codec.Image{Config: codec.Config{Mode: codec.ModeRGBA, Width: 3, Height: 2}}
	for _, c := range []struct {
		plane   []byte
		present bool
		ok      bool
	}{
		{make([]byte, 6), true, true},
		{nil, false, true},
		{nil, true, false},
		{make([]byte, 6), false, false},
		{make([]byte, 5), true, false},
		{make([]byte, 7), true, false},
	} {
		if err := Plane(img, "alpha", c.plane, c.present); (err == nil) != c.ok {
			t.Errorf("Plane(%d bytes, nil=%v, present=%v) = %v", len(c.plane), c.plane == nil, c.present, err)
		}
	}
}
