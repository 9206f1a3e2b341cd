package benchrestart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// imagePath is the path of image i relative to the root: a thousand clean
// images per submission; even images are PNG, odd ones JPEG.
func imagePath(i int) string {
	ext := ".png"
	if i%2 == 1 {
		ext = ".jpg"
	}
	return fmt.Sprintf("b%04d_submission_2026/clean/img_%07d%s", i/1000, i, ext)
}

// writeTree writes n unique images under root (side x side pixels each)
// on every core; version makes a rewrite give other bytes.
func writeTree(root string, n, side int, version uint64) error {
	return forEach(n, func(i int) error { return writeImage(root, i, side, version) })
}

// writeImage writes image i: a gradient, a few shapes and noise, all drawn
// from a generator seeded by i and version, so every file is different.
func writeImage(root string, i, side int, version uint64) error {
	rng := rand.New(rand.NewPCG(uint64(i)+1, version))
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	var base, step [3]int
	for c := range base {
		base[c], step[c] = rng.IntN(256), rng.IntN(5)-2
	}
	type disc struct{ x, y, r, c int }
	discs := make([]disc, 1+rng.IntN(4))
	for k := range discs {
		discs[k] = disc{rng.IntN(side), rng.IntN(side), 4 + rng.IntN(side/3+1), rng.IntN(256)}
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			var px [3]uint8
			for c := range px {
				v := base[c] + step[c]*(x+y)/2 + rng.IntN(9) - 4
				for _, d := range discs {
					if (x-d.x)*(x-d.x)+(y-d.y)*(y-d.y) < d.r*d.r {
						v = (v + d.c*(c+1)) / 2
					}
				}
				px[c] = uint8(min(max(v, 0), 255))
			}
			img.SetNRGBA(x, y, color.NRGBA{px[0], px[1], px[2], 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if i%2 == 1 {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return err
	}
	p := filepath.Join(root, filepath.FromSlash(imagePath(i)))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, buf.Bytes(), 0o644)
}

// forEach runs fn(0..n-1) on every core and returns the first error.
func forEach(n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
