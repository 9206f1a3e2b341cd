package meta

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/corpustest"
)

func pad(b []byte) []byte { return append(b, make([]byte, 1000)...) }

func TestTailRules(t *testing.T) {
	body := bytes.Repeat([]byte{0x11}, 1200)
	cases := []struct {
		name string
		data []byte
		f    codec.Format
		want []byte
	}{
		{"jpeg after last FFD9", append(append([]byte{0xFF, 0xD8}, body...), 0xFF, 0xD9, 'x', 0xFF, 0xD9, 'h', 'i'), codec.FormatJPEG, []byte("hi")},
		{"png skips 4 bytes after IEND", append(append(append([]byte("\x89PNG"), body...), "\x00\x00\x00\x00IENDcrc!"...), "ABCDpayload"...), codec.FormatPNG, []byte("payload")},
		{"gif after last semicolon", append(append([]byte("GIF89a"), body...), ";tail;x"...), codec.FormatGIF, []byte("x")},
		{"small file has no tail", []byte("\xff\xd8\xff\xd9tail"), codec.FormatJPEG, nil},
		{"bmp has no tail", append([]byte("BM"), body...), codec.FormatBMP, nil},
	}
	for _, c := range cases {
		if got := Tail(c.data, c.f); !bytes.Equal(got, c.want) {
			t.Errorf("%s: Tail = %q, want %q", c.name, got, c.want)
		}
	}
	long := append(append([]byte{0xFF, 0xD8}, body...), 0xFF, 0xD9)
	long = append(long, bytes.Repeat([]byte{'z'}, 5000)...)
	if got := Tail(long, codec.FormatJPEG); len(got) != MaxTail {
		t.Errorf("tail not capped: %d bytes", len(got))
	}
}

func TestWebPTailNeedsMoreThan100Bytes(t *testing.T) {
	riff := make([]byte, 1100)
	copy(riff, "RIFF")
	binary.LittleEndian.PutUint32(riff[4:], uint32(len(riff)-8))
	copy(riff[8:], "WEBP")
	if got := Tail(append(riff, bytes.Repeat([]byte{'a'}, 100)...), codec.FormatWEBP); got != nil {
		t.Errorf("100 trailing bytes gave a tail of %d", len(got))
	}
	if got := Tail(append(riff, bytes.Repeat([]byte{'a'}, 101)...), codec.FormatWEBP); len(got) != 101 {
		t.Errorf("101 trailing bytes gave a tail of %d", len(got))
	}
}

// exifBlock builds "Exif\0\0" + a little-endian TIFF with IFD0 -> Exif IFD -> UserComment.
func exifBlock(comment []byte) []byte {
	le := binary.LittleEndian
	b := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00")
	tiff := func() []byte { return b[6:] }
	// IFD0 at 8: one entry, ExifIFD pointer -> 26.
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, tagExifIFD)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 26)
	b = le.AppendUint32(b, 0)
	// Exif IFD at 26: one entry, UserComment at 44.
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, tagUserComment)
	b = le.AppendUint16(b, 7)
	b = le.AppendUint32(b, uint32(len(comment)))
	b = le.AppendUint32(b, 44)
	b = le.AppendUint32(b, 0)
	if len(tiff()) != 44 {
		panic("layout")
	}
	return append(b, comment...)
}

func TestUserComment(t *testing.T) {
	want := []byte("ASCII\x00\x00\x00hidden words\x00")
	got, err := UserComment(exifBlock(want))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("UserComment = %q, %v", got, err)
	}
	loop := exifBlock(want)
	binary.LittleEndian.PutUint32(loop[6+8+2+8:], 8) // ExifIFD pointer back to IFD0
	if _, err := UserComment(loop); err == nil {
		t.Fatalf("IFD loop: want an error")
	}
	huge := exifBlock(want)
	binary.LittleEndian.PutUint32(huge[6+26+2+4:], 1<<31) // count beyond the block
	if _, err := UserComment(huge); err == nil {
		t.Fatalf("huge count: want an error")
	}
}

func TestEXIFContainers(t *testing.T) {
	block := exifBlock([]byte("ASCII\x00\x00\x00x"))
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 'J', 'F'}
	jpeg = append(jpeg, 0xFF, 0xE1)
	jpeg = binary.BigEndian.AppendUint16(jpeg, uint16(len(block)+2))
	jpeg = append(append(jpeg, block...), 0xFF, 0xDA, 0, 2)
	if got := EXIF(jpeg, codec.FormatJPEG); !bytes.Equal(got, block) {
		t.Errorf("jpeg EXIF = %q", got)
	}
	png := []byte("\x89PNG\r\n\x1a\n")
	png = binary.BigEndian.AppendUint32(png, uint32(len(block)-6))
	png = append(append(append(png, "eXIf"...), block[6:]...), "crc!"...)
	if got := EXIF(png, codec.FormatPNG); !bytes.Equal(got, block) {
		t.Errorf("png EXIF = %q", got)
	}
}

func corpusSeeds(f *testing.F) {
	dir := corpustest.Datasets(f)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) != ".json" && filepath.Ext(p) != ".md" {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<18 {
				f.Add(b)
			}
		}
		return nil
	})
}

func FuzzTail(f *testing.F) {
	corpusSeeds(f)
	f.Add(pad([]byte("\x89PNG")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range []codec.Format{codec.FormatJPEG, codec.FormatPNG, codec.FormatGIF, codec.FormatWEBP, codec.FormatBMP} {
			if tl := Tail(data, fm); len(tl) > MaxTail {
				t.Fatalf("%s tail of %d bytes", fm, len(tl))
			}
		}
	})
}

func FuzzEXIF(f *testing.F) {
	corpusSeeds(f)
	f.Add(exifBlock([]byte("ASCII\x00\x00\x00x")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range []codec.Format{codec.FormatJPEG, codec.FormatPNG, codec.FormatWEBP} {
			if e := EXIF(data, fm); e != nil {
				UserComment(e)
			}
		}
		UserComment(data)
	})
}
