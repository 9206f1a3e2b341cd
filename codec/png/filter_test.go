package png

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// refUnfilter reverses a filter byte by byte, as the PNG specification
// states it, for comparison with unfilter.
func refUnfilter(cur, prev []byte, bpp int) {
	c, p := cur[1:], prev[1:len(cur)]
	for i := range c {
		var a, b, u int
		if i >= bpp {
			a, u = int(c[i-bpp]), int(p[i-bpp])
		}
		b = int(p[i])
		var add int
		switch cur[0] {
		case 1:
			add = a
		case 2:
			add = b
		case 3:
			add = (a + b) / 2
		case 4:
			pp := a + b - u
			pa, pb, pc := abs(pp-a), abs(pp-b), abs(pp-u)
			switch {
			case pa <= pb && pa <= pc:
				add = a
			case pb <= pc:
				add = b
			default:
				add = u
			}
		}
		c[i] += byte(add)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestUnfilterMatchesSpec compares unfilter with the specification's
// byte-by-byte definition for every filter, pixel width and row length.
func TestUnfilterMatchesSpec(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for bpp := 1; bpp <= 8; bpp++ {
		for n := 1; n <= 70; n++ {
			for typ := byte(0); typ <= 4; typ++ {
				for k := 0; k < 4; k++ {
					prev := make([]byte, n+1)
					cur := make([]byte, n+1)
					for i := range cur {
						// small ranges too, where ties between predictors abound
						m := 256
						if k%2 == 1 {
							m = 3
						}
						cur[i], prev[i] = byte(r.IntN(m)), byte(r.IntN(m))
					}
					cur[0] = typ
					want := bytes.Clone(cur)
					refUnfilter(want, prev, bpp)
					if err := unfilter(cur, prev, bpp); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(cur, want) {
						t.Fatalf("filter %d, bpp %d, %d bytes: %v, want %v", typ, bpp, n, cur, want)
					}
				}
			}
		}
	}
}
