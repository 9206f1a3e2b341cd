package payload

import (
	"bytes"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/starlight/dataserver/codec"
)

// MinText is the shortest NUL-terminated text run that counts as a payload.
const MinText = 16

// Evidence says why bytes count as a payload.
type Evidence string

// The four kinds of evidence.
const (
	// EvidenceMarker: the pixel payload begins with the "AI42" marker.
	EvidenceMarker Evidence = "ai42"
	// EvidenceText: the pixel payload begins with a NUL-terminated run of at
	// least MinText bytes of valid UTF-8, over 90 % printable.
	EvidenceText Evidence = "text"
	// EvidenceComment: the EXIF UserComment holds more than NULs and spaces.
	EvidenceComment Evidence = "usercomment"
	// EvidenceTail: bytes other than NUL follow the end of the image.
	EvidenceTail Evidence = "tail"
)

// Finding is one payload an extractor recovered.
type Finding struct {
	Method Method
	// Order is the bit order the bytes were packed in (pixel methods only).
	Order    Order
	Evidence Evidence
	// Length is the payload's length in bytes: the text run without its NUL,
	// the comment or the tail.
	Length int
	// Preview is the payload's first bytes, at most 32, for reports.
	Preview []byte
}

// Scan reads bytes from r and decides whether they begin a payload: the
// "AI42" marker, or a NUL-terminated run of at least MinText bytes of valid
// UTF-8 that is over 90 % printable (newlines and tabs count as printable).
// It reads at most MaxLen bytes and stops at the first byte that settles the
// question, so noise costs a few bytes. It returns the evidence, the payload
// length and a preview of its first bytes.
func Scan(r io.ByteReader) (ev Evidence, n int, head []byte, ok bool) {
	var pending [utf8.UTFMax]byte
	np, printable, runes := 0, 0, 0
	for n < MaxLen {
		b, err := r.ReadByte()
		if err != nil {
			return "", 0, nil, false
		}
		if b == 0 {
			if np == 0 && n >= MinText && printable*10 > runes*9 {
				return EvidenceText, n, head, true
			}
			return "", 0, nil, false
		}
		pending[np] = b
		np++
		if !utf8.FullRune(pending[:np]) {
			continue
		}
		ru, size := utf8.DecodeRune(pending[:np])
		if ru == utf8.RuneError && size <= 1 {
			return "", 0, nil, false
		}
		runes++
		if unicode.IsPrint(ru) || ru == '\n' || ru == '\r' || ru == '\t' {
			printable++
		}
		if len(head) < previewLen {
			head = append(head, pending[:np]...)
		}
		n += np
		np = 0
		if n == len(Marker) && string(head) == Marker {
			return EvidenceMarker, n, head, true
		}
	}
	return "", 0, nil, false
}

// previewLen bounds Finding.Preview.
const previewLen = 32

// Detect runs the five extractors over a file and its decoded image and
// returns every payload found: alpha LSB-first, palette index and RGB LSBs
// in both bit orders (each scanned with Scan, reading only the bits it
// needs), the EXIF UserComment and the bytes after the end of the image.
// img may be nil (only EXIF and Raw run then); planes the image lacks are
// skipped. Structural errors (truncation) are not findings; End reports them.
func Detect(data []byte, img *codec.Image) []Finding {
	var out []Finding
	type pass struct {
		m Method
		o Order
	}
	for _, p := range [...]pass{{Alpha, LSBFirst}, {Palette, LSBFirst}, {Palette, MSBFirst}, {LSBRGB, LSBFirst}, {LSBRGB, MSBFirst}} {
		if f, ok := DetectPixels(img, p.m, p.o); ok {
			out = append(out, f)
		}
	}
	if f, ok := DetectComment(data); ok {
		out = append(out, f)
	}
	if f, ok := DetectTail(data); ok {
		out = append(out, f)
	}
	return out
}

// DetectPixels scans the payload method m would hide in img's pixels in order o.
func DetectPixels(img *codec.Image, m Method, o Order) (Finding, bool) {
	plane, err := Plane(img, m)
	if err != nil {
		return Finding{}, false
	}
	ev, n, head, ok := Scan(NewReader(plane, o))
	if !ok {
		return Finding{}, false
	}
	return Finding{Method: m, Order: o, Evidence: ev, Length: n, Preview: head}, true
}

// DetectComment reports an EXIF UserComment holding more than NULs and spaces.
func DetectComment(data []byte) (Finding, bool) {
	c, err := UserComment(data)
	if err != nil || blank(c) {
		return Finding{}, false
	}
	return Finding{Method: EXIF, Evidence: EvidenceComment, Length: len(c), Preview: preview(c)}, true
}

// DetectTail reports bytes other than NUL after the end of the image.
func DetectTail(data []byte) (Finding, bool) {
	end, err := End(data)
	if err != nil || len(bytes.Trim(data[end:], "\x00")) == 0 {
		return Finding{}, false
	}
	return Finding{Method: Raw, Evidence: EvidenceTail, Length: len(data) - end, Preview: preview(data[end:])}, true
}

func preview(b []byte) []byte {
	if len(b) > previewLen {
		b = b[:previewLen]
	}
	return append([]byte(nil), b...)
}
