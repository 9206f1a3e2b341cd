package jpeg

import (
	"sync"

	"github.com/starlight/dataserver/codec"
)

// maxPooledBytes bounds the scratch memory a pooled decoder keeps between
// decodings; larger buffers are left to the garbage collector.
const maxPooledBytes = 8 << 20

// decoderPool recycles decoders with their sample and coefficient buffers,
// which are internal to one decoding and never handed to the caller.
var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// getDecoder returns a decoder reset for data, keeping pooled buffers.
func getDecoder(data []byte, lim codec.Limits) *decoder {
	d := decoderPool.Get().(*decoder)
	samples, coefs, tab := d.sampleBuf, d.coefBuf, d.tab
	if tab == nil {
		tab = new(tables)
	} else {
		*tab = tables{}
	}
	*d = decoder{data: data, lim: lim, sampleBuf: samples, coefBuf: coefs, tab: tab}
	return d
}

// putDecoder returns d to the pool, dropping references to the caller's
// data and buffers too large to keep.
func putDecoder(d *decoder) {
	samples, coefs := d.sampleBuf, d.coefBuf
	if cap(samples) > maxPooledBytes {
		samples = nil
	}
	if 2*cap(coefs) > maxPooledBytes {
		coefs = nil
	}
	*d = decoder{sampleBuf: samples, coefBuf: coefs, tab: d.tab}
	decoderPool.Put(d)
}

// samples returns a buffer of n bytes whose content is undefined.
func (d *decoder) samples(n int) []byte {
	if cap(d.sampleBuf) < n {
		d.sampleBuf = make([]byte, n)
	}
	return d.sampleBuf[:n]
}

// coefficients returns n zeroed coefficients.
func (d *decoder) coefficients(n int) []int16 {
	if cap(d.coefBuf) < n {
		d.coefBuf = make([]int16, n)
		return d.coefBuf
	}
	c := d.coefBuf[:n]
	clear(c)
	return c
}
