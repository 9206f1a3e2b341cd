package client

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// MaxTensorElements bounds the values of one tensor the views accept (4 GiB
// of uint8); a larger shape is refused before anything is allocated.
const MaxTensorElements = 1 << 32

// ErrTensor reports a tensor whose shape, dtype or data do not agree.
var ErrTensor = errors.New("client: malformed tensor")

// Tensor is a view of one stream of a batch: the wire message and the
// values it holds, batch dimension first, C order.
type Tensor struct {
	*pb.Tensor
	unpacked []uint8
}

// Elements returns prod(shape), the number of logical values, or an error
// when the shape is empty, negative or too large.
func (t *Tensor) Elements() (int, error) {
	shape := t.GetShape()
	if len(shape) == 0 {
		return 0, fmt.Errorf("%w: %q has no shape", ErrTensor, t.GetName())
	}
	n := int64(1)
	for _, d := range shape {
		if d < 0 || (d > 0 && n > MaxTensorElements/d) {
			return 0, fmt.Errorf("%w: %q has shape %v (negative or over %d values)", ErrTensor, t.GetName(), shape, int64(MaxTensorElements))
		}
		n *= d
	}
	return int(n), nil
}

// PerSample returns the values of one sample: prod(shape[1:]).
func (t *Tensor) PerSample() (int, error) {
	n, err := t.Elements()
	if err != nil {
		return 0, err
	}
	if b := t.GetShape()[0]; b > 0 {
		return n / int(b), nil
	}
	return 0, nil
}

// Uint8 returns the values of a uint8 tensor. Unpacked data is returned as
// is, without a copy; bit-packed planes are unpacked once into a buffer the
// Tensor keeps (later calls return the same slice).
func (t *Tensor) Uint8() ([]uint8, error) {
	if t.unpacked != nil {
		return t.unpacked, nil
	}
	n, err := t.check(pb.Dtype_DTYPE_UINT8, 1)
	if err != nil {
		return nil, err
	}
	if !t.GetBitsPacked() {
		return t.GetData(), nil
	}
	out, err := t.UnpackInto(make([]uint8, n))
	if err != nil {
		return nil, err
	}
	t.unpacked = out
	return out, nil
}

// UnpackInto writes the values of a uint8 tensor into dst, unpacking bit
// planes, and returns dst[:prod(shape)]. dst must hold prod(shape) values;
// it lets a consumer reuse one buffer across batches.
func (t *Tensor) UnpackInto(dst []uint8) ([]uint8, error) {
	n, err := t.check(pb.Dtype_DTYPE_UINT8, 1)
	if err != nil {
		return nil, err
	}
	if len(dst) < n {
		return nil, fmt.Errorf("%w: %q needs %d values, the buffer holds %d", ErrTensor, t.GetName(), n, len(dst))
	}
	dst = dst[:n]
	if t.GetBitsPacked() {
		UnpackBits(dst, t.GetData())
	} else {
		copy(dst, t.GetData())
	}
	return dst, nil
}

// Float32 returns the values of a float32 tensor. On a little-endian
// machine, when the data is 4-byte aligned (as protobuf allocates it), the
// slice aliases the message's bytes; otherwise the values are decoded into a
// new slice.
func (t *Tensor) Float32() ([]float32, error) {
	n, err := t.check(pb.Dtype_DTYPE_FLOAT32, 4)
	if err != nil {
		return nil, err
	}
	data := t.GetData()
	if n == 0 {
		return []float32{}, nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&data[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), n), nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return out, nil
}

// check verifies dtype and data length and returns prod(shape).
func (t *Tensor) check(want pb.Dtype, size int) (int, error) {
	if t.GetDtype() != want {
		return 0, fmt.Errorf("%w: %q has dtype %s, not %s", ErrTensor, t.GetName(), t.GetDtype(), want)
	}
	n, err := t.Elements()
	if err != nil {
		return 0, err
	}
	need := n * size
	if t.GetBitsPacked() {
		if want != pb.Dtype_DTYPE_UINT8 {
			return 0, fmt.Errorf("%w: %q is bit-packed but of dtype %s", ErrTensor, t.GetName(), t.GetDtype())
		}
		need = (n + 7) / 8
	}
	if len(t.GetData()) != need {
		return 0, fmt.Errorf("%w: %q of shape %v (packed %t) needs %d bytes, has %d", ErrTensor, t.GetName(), t.GetShape(), t.GetBitsPacked(), need, len(t.GetData()))
	}
	return n, nil
}

// littleEndian tells whether this machine stores integers little-endian.
var littleEndian = func() bool {
	var x uint16 = 1
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// spread[b] holds the 8 bits of b, most significant first, one per byte in
// memory order (as a little-endian uint64).
var spread = func() (tab [256]uint64) {
	for b := range 256 {
		var v uint64
		for j := range 8 {
			v |= uint64(b>>(7-j)&1) << (8 * j)
		}
		tab[b] = v
	}
	return tab
}()

// UnpackBits writes the bits of packed, most significant first, one 0/1
// value per byte, into dst; it writes len(dst) values and reads
// ceil(len(dst)/8) bytes of packed (numpy.unpackbits(packed, count=len(dst))).
// It panics when packed is shorter than that.
func UnpackBits(dst []uint8, packed []byte) {
	if len(dst) == 0 {
		return
	}
	full := len(dst) / 8
	_ = packed[(len(dst)+7)/8-1]
	for i, b := range packed[:full] {
		binary.LittleEndian.PutUint64(dst[8*i:], spread[b])
	}
	if rest := len(dst) - 8*full; rest > 0 {
		b := packed[full]
		for j := range rest {
			dst[8*full+j] = b >> (7 - j) & 1
		}
	}
}
