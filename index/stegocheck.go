package index

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/payload"
)

// stegoKey names the payload check of a stego image under sidecar sc.
func stegoKey(sc *Sidecar) string {
	if sc == nil {
		return ""
	}
	return fmt.Sprintf("stego:%s:%s:%t", sc.Technique, sc.BitOrder, sc.AI42)
}

// stego checks that the declared extractor recovers a payload, and returns
// the decoded image when the technique is a pixel one (nil otherwise).
func (c *checker) stego(r *fileResult, p string, data []byte, sc *Sidecar) (img *codec.Image) {
	m := sc.Method
	var found bool
	var f payload.Finding
	switch m {
	case payload.EXIF:
		f, found = payload.DetectComment(data)
	case payload.Raw:
		f, found = payload.DetectTail(data)
	default:
		var err error
		if img, err = extract.Decode(data, c.opts); err != nil {
			c.add(r, p, errorf(CodeDecode, "%v", err))
			return nil
		}
		o := payload.MSBFirst
		if sc.BitOrder == BitOrderLSBFirst || m == payload.Alpha {
			o = payload.LSBFirst
		}
		f, found = payload.DetectPixels(img, m, o)
		if !found && m != payload.Alpha {
			if g, ok := payload.DetectPixels(img, m, 1-o); ok {
				c.add(r, p, errorf(CodeBitOrderWrong, "sidecar says %s but the %s payload is %s (%s)", o, m, g.Order, describe(g)))
				return img
			}
		}
		if found && (f.Evidence == payload.EvidenceMarker) != sc.AI42 {
			c.add(r, p, warnf(CodeAI42Mismatch, "sidecar ai42 is %t but the payload %s the AI42 marker", sc.AI42, map[bool]string{true: "starts with", false: "lacks"}[f.Evidence == payload.EvidenceMarker]))
		}
	}
	if !found {
		c.add(r, p, errorf(CodeStegoNoPayload, "the %s extractor recovers no payload (%s)", m, noPayloadWhy(m)))
	}
	return img
}

func noPayloadWhy(m payload.Method) string {
	switch m {
	case payload.EXIF:
		return "no EXIF UserComment, or a blank one"
	case payload.Raw:
		return "nothing but NUL bytes after the end of the image"
	}
	return "neither the AI42 marker nor a NUL-terminated text of 16 bytes or more"
}

// labelMismatch says why technique m cannot hold for an image with header
// cfg ("" when it can).
func labelMismatch(cfg codec.Config, m payload.Method) string {
	switch m {
	case payload.Alpha:
		if cfg.Mode != codec.ModeRGBA {
			return fmt.Sprintf("alpha on a %s image of mode %s: only RGBA images carry the alpha stream", cfg.Format, cfg.Mode)
		}
	case payload.Palette:
		if cfg.Mode != codec.ModeP && !(cfg.Format == codec.FormatGIF && cfg.Mode == codec.ModeL) {
			return fmt.Sprintf("palette on a %s image of mode %s, which is not paletted", cfg.Format, cfg.Mode)
		}
	case payload.LSBRGB:
		if cfg.Mode != codec.ModeRGB && cfg.Mode != codec.ModeRGBA {
			return fmt.Sprintf("lsb.rgb on a %s image of mode %s, which is not RGB", cfg.Format, cfg.Mode)
		}
		if cfg.Format == codec.FormatJPEG {
			return "lsb.rgb on a JPEG: lossy compression does not keep pixel LSBs"
		}
	case payload.EXIF:
		if cfg.Format != codec.FormatJPEG && cfg.Format != codec.FormatPNG && cfg.Format != codec.FormatWEBP {
			return fmt.Sprintf("exif on a %s file, which carries no EXIF block", cfg.Format)
		}
	}
	return ""
}
