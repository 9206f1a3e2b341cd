package codec

import "bytes"

// Sniff returns the format the magic bytes say, as Pillow decides it, or ""
// when no supported format matches. The file name is never consulted.
func Sniff(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return FormatJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return FormatGIF
	case len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP":
		return FormatWEBP
	case bytes.HasPrefix(data, []byte("BM")):
		return FormatBMP
	}
	return ""
}
