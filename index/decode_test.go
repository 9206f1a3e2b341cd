package index

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"testing"
)

// breakFirstFilter rewrites a PNG so its first row's filter byte is 7 (no
// such filter): header, chunks, CRCs and structure stay valid, only decoding
// the pixels fails.
func breakFirstFilter(t *testing.T, png []byte) []byte {
	t.Helper()
	var idat []byte
	var out bytes.Buffer
	out.Write(png[:8])
	for p := 8; p+12 <= len(png); {
		n := int(binary.BigEndian.Uint32(png[p:]))
		typ := string(png[p+4 : p+8])
		if typ == "IDAT" {
			idat = append(idat, png[p+8:p+8+n]...)
		} else {
			if typ == "IEND" {
				zr, err := zlib.NewReader(bytes.NewReader(idat))
				if err != nil {
					t.Fatal(err)
				}
				raw, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				raw[0] = 7
				var z bytes.Buffer
				zw := zlib.NewWriter(&z)
				zw.Write(raw)
				zw.Close()
				chunk := append([]byte("IDAT"), z.Bytes()...)
				out.Write(binary.BigEndian.AppendUint32(nil, uint32(z.Len())))
				out.Write(chunk)
				out.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(chunk)))
			}
			out.Write(png[p : p+12+n])
		}
		p += 12 + n
	}
	return out.Bytes()
}

// TestUndecodableImageIsNotServed: a clean image whose header and structure
// pass but whose pixels do not decode is a decode error and not served, so
// no stream ever draws it; HeaderOnly skips that decode.
func TestUndecodableImageIsNotServed(t *testing.T) {
	tr := baseTree(t)
	p := "a_submission_2025/clean/bad-filter.png"
	tr.write(p, breakFirstFilter(t, encPNG(t, opaque(picture(7, 32, 32)))))
	s := tr.build(Options{})
	got, ok := s.Sample(p)
	if !ok || got.Accepted || !hasProblem(s, CodeDecode, p, 0) {
		t.Fatalf("sample %v accepted %v, decode problem %v: want listed, not accepted, with a decode problem", ok, got.Accepted, hasProblem(s, CodeDecode, p, 0))
	}
	quick := tr.build(Options{HeaderOnly: true})
	if got, _ := quick.Sample(p); !got.Accepted {
		t.Fatalf("HeaderOnly should not decode clean images, but %s was refused", p)
	}
}
