package extract

import (
	"crypto/sha256"
	"encoding/hex"
)

// Digests are the sha256 of each byte stream in its canonical layout and the
// two float vectors, as the reference's expected.jsonl records them.
type Digests struct {
	Pixel      string    `json:"pixel"`
	Meta       string    `json:"meta"`
	Alpha      string    `json:"alpha"`
	LSB        string    `json:"lsb"`
	Palette    string    `json:"palette"`
	PaletteLSB string    `json:"palette_lsb"`
	Format     []float64 `json:"format"`
	Content    []float64 `json:"content"`
}

// Digest returns the digests of s.
func (s *Streams) Digest() Digests {
	return Digests{
		Pixel:      hash(s.Pixel),
		Meta:       hash(s.Meta),
		Alpha:      hash(s.AlphaLSB()),
		LSB:        hash(s.LSB()),
		Palette:    hash(s.Palette),
		PaletteLSB: hash(s.PaletteLSB),
		Format:     widen(s.FormatVec[:]),
		Content:    widen(s.Content[:]),
	}
}

func hash(b []uint8) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
