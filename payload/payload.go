// Package payload implements the five payload extractors of the stego spec
// (SPEC.md section 1) and the rule that decides whether an extracted byte
// string is a payload: alpha LSB (LSB-first, "AI42" marker), RGB LSB and
// palette-index LSB in either bit order, the EXIF UserComment, and the bytes
// after the end of the image.
package payload

import "fmt"

// Method is one of the five extractors; its value is the technique class id.
type Method int

// The five extractors, numbered as the technique class ids 0..4.
const (
	Alpha Method = iota
	Palette
	LSBRGB
	EXIF
	Raw
)

// Methods lists the five extractors in class id order.
var Methods = [...]Method{Alpha, Palette, LSBRGB, EXIF, Raw}

var methodNames = [...]string{"alpha", "palette", "lsb.rgb", "exif", "raw"}

// String returns the sidecar's technique name of m ("alpha", "lsb.rgb", ...).
func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod returns the method a sidecar's technique name designates.
func ParseMethod(technique string) (Method, bool) {
	for i, n := range methodNames {
		if n == technique {
			return Method(i), true
		}
	}
	return 0, false
}

// Pixel reports whether m reads pixel LSBs (and so has a bit order).
func (m Method) Pixel() bool {
	return m == Alpha || m == Palette || m == LSBRGB
}

// Order is how the extracted bits are packed into bytes.
type Order int

// The two bit orders: the first bit read goes to the byte's bit 0 (LSBFirst)
// or to its bit 7 (MSBFirst).
const (
	LSBFirst Order = iota
	MSBFirst
)

// String returns the sidecar's name of the order ("lsb-first", "msb-first").
func (o Order) String() string {
	if o == LSBFirst {
		return "lsb-first"
	}
	return "msb-first"
}

// Marker is the 4-byte marker an alpha payload begins with.
const Marker = "AI42"

// MaxLen is the most payload bytes an extractor returns or Detect reads.
const MaxLen = 64 << 10
