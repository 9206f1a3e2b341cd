package payload

import (
	"bytes"
	"errors"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract/meta"
)

// ErrNoEXIF reports a file without an EXIF block.
var ErrNoEXIF = errors.New("payload: no EXIF block")

// commentHeaders are the 8-byte character code headers an EXIF UserComment
// starts with.
var commentHeaders = [...]string{"ASCII\x00\x00\x00", "UNICODE\x00", "JIS\x00\x00\x00\x00\x00", "\x00\x00\x00\x00\x00\x00\x00\x00"}

// UserComment returns the EXIF UserComment of the file in data without its
// 8-byte character code header (the stego spec writes "ASCII\0\0\0"). It
// returns an error wrapping ErrNoEXIF when the file has no EXIF block and
// meta.ErrNoUserComment when the block has no UserComment.
func UserComment(data []byte) (c []byte, err error) {
	exif := meta.EXIF(data, codec.Sniff(data))
	if exif == nil {
		return nil, ErrNoEXIF
	}
	c, err = meta.UserComment(exif)
	if err != nil {
		return nil, err
	}
	if len(c) >= 8 {
		for _, h := range commentHeaders {
			if string(c[:8]) == h {
				return c[8:], nil
			}
		}
	}
	return c, nil
}

// Tail returns the bytes appended after the end of the image (see End), at
// most max of them (MaxLen when max <= 0).
func Tail(data []byte, max int) ([]byte, error) {
	end, err := End(data)
	if err != nil {
		return nil, err
	}
	if max <= 0 || max > MaxLen {
		max = MaxLen
	}
	t := data[end:]
	if len(t) > max {
		t = t[:max]
	}
	return t, nil
}

// blank reports whether b holds nothing but NUL bytes and spaces (cameras
// fill an unused UserComment that way; zero padding after an image carries
// nothing either).
func blank(b []byte) bool {
	return len(bytes.Trim(b, "\x00 ")) == 0
}
