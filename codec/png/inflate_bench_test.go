package png

import (
	"bytes"
	"compress/zlib"
	"io"
	"slices"
	"testing"
)

// BenchmarkInflate inflates the image data of the shared corpus PNGs and
// every fourth trainset PNG whole, with compress/zlib and with the inflater; img/s is
// images per second per core.
func BenchmarkInflate(b *testing.B) {
	var streams [][]byte
	var sizes []int
	for _, f := range sharedPNGs(b) {
		s, err := scanHeader(f, true)
		if err != nil {
			continue
		}
		st := gatherIDAT(s)
		streams = append(streams, bytes.Clone(st.data))
		st.release()
		z, err := zlib.NewReader(bytes.NewReader(streams[len(streams)-1]))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, z)
		sizes = append(sizes, int(n))
	}
	if len(streams) == 0 {
		b.Skip("NO SHARED PNGs (../shared/corpus, ../shared/trainset): skipping")
	}
	b.Run("compress-zlib", func(b *testing.B) {
		var z io.ReadCloser
		for i := 0; i < b.N; i++ {
			for _, s := range streams {
				if z == nil {
					z, _ = zlib.NewReader(bytes.NewReader(s))
				} else {
					z.(zlib.Resetter).Reset(bytes.NewReader(s), nil)
				}
				io.Copy(io.Discard, z)
			}
		}
		b.ReportMetric(float64(b.N*len(streams))/b.Elapsed().Seconds(), "img/s")
	})
	b.Run("inflater", func(b *testing.B) {
		buf := make([]byte, 0, slices.Max(sizes)+window)
		for i := 0; i < b.N; i++ {
			for k, s := range streams {
				inflate(s[2:], buf[:0:sizes[k]+window], sizes[k], io.EOF)
			}
		}
		b.ReportMetric(float64(b.N*len(streams))/b.Elapsed().Seconds(), "img/s")
	})
}
