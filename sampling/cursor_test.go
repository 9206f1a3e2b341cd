package sampling

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

var sampleCursors = []Cursor{
	{SnapshotID: "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Params: Params{Seed: 42, Epoch: 7, Mix: Mix{1, 1, 1}, BatchSize: 64, World: 4, Rank: 3, Split: SplitTrain}, NextBatch: 1234},
	{SnapshotID: "snap-2026-01-02", Params: Params{Seed: ^uint64(0), Epoch: 0, Mix: Mix{0, 3, 1}, BatchSize: 1, World: 1, ClassBalance: true, Split: SplitVal, Evaluation: true}},
	{SnapshotID: "", Params: Params{Seed: 0, Mix: Mix{1024, 0, 0}, BatchSize: MaxBatchSize, World: MaxWorld, Rank: MaxWorld - 1, Split: SplitAll,
		Pairing: true, StegosPerCover: MaxStegosPerCover, Augment: true}, NextBatch: 1 << 40},
	{SnapshotID: "b3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Params: Params{Seed: 9, Epoch: 3, Mix: Mix{1, 1, 2}, BatchSize: 32, World: 2, Rank: 1, Split: SplitTest,
		Mining: Mining{Run: "run-7", Kinds: 4, Strength: 2.5, FirstEpoch: 1, State: "c3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}}, NextBatch: 17},
	{SnapshotID: "s", Params: Params{Mix: Mix{1, 1, 1}, BatchSize: 8, World: 1, Split: SplitTrain,
		Mining: Mining{Run: "r", Kinds: 7, Strength: 1000, FirstEpoch: ^uint64(0), State: "not-hex"}}},
	// Upper-case hex is not the canonical form: it travels as a string.
	{SnapshotID: "A3F1C2D4E5B60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90", Params: Params{BatchSize: 2, World: 1, Mix: Mix{1, 1, 1}, Split: SplitTrain}},
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range sampleCursors {
		s := c.Encode()
		if strings.ContainsAny(s, "+/=") || len(s) > maxCursorText {
			t.Errorf("cursor %q is not compact URL-safe text", s)
		}
		got, err := ParseCursor(s)
		if err != nil {
			t.Fatalf("ParseCursor(Encode(%+v)): %v", c, err)
		}
		if got != c {
			t.Errorf("round trip: got %+v, want %+v", got, c)
		}
	}
	if n := len(sampleCursors[0].Encode()); n > 80 {
		t.Errorf("a typical cursor takes %d characters, want it compact", n)
	}
}

func TestCursorRefusesTampering(t *testing.T) {
	s := sampleCursors[0].Encode()
	raw, _ := base64.RawURLEncoding.DecodeString(s)
	for i := range raw {
		for _, bit := range []byte{1, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= bit
			if _, err := ParseCursor(base64.RawURLEncoding.EncodeToString(b)); !errors.Is(err, ErrBadCursor) {
				t.Fatalf("byte %d flipped by %#x: err %v", i, bit, err)
			}
		}
	}
	for n := range len(s) {
		if _, err := ParseCursor(s[:n]); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("truncated to %d characters: err %v", n, err)
		}
	}
	for _, bad := range []string{"", "!!!!", "hello world", s + "A", s + "==", strings.Repeat("A", 10000)} {
		if _, err := ParseCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("ParseCursor(%.40q): err %v", bad, err)
		}
	}
}

// reseal recomputes the checksum of a cursor body, as a future version or a
// careful forger would, to reach the checks behind it.
func reseal(body []byte) string {
	return base64.RawURLEncoding.EncodeToString(append(body, cursorSum(body)...))
}

func TestCursorRefusesWellSealedNonsense(t *testing.T) {
	raw, _ := base64.RawURLEncoding.DecodeString(sampleCursors[1].Encode())
	body := raw[:len(raw)-cursorSumLen]
	for name, b := range map[string][]byte{
		"version 3":        append([]byte{3}, body[1:]...),
		"version 1":        append([]byte{1}, body[1:]...),
		"unknown flag":     append([]byte{2, body[1] | 0x40}, body[2:]...),
		"trailing garbage": append(append([]byte(nil), body...), 0),
		"cut short":        body[:len(body)-3],
		"batch size 0":     {2, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0},
		"rank >= world":    {2, 0, 0, 0, 1, 1, 1, 4, 5, 2, 0, 0, 0, 0},
		"huge varint":      {2, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"bad utf8 id":      {2, 0, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 0, 2, 0xff, 0xfe},
		"unknown split":    {2, 0, 0, 0, 1, 1, 1, 4, 0, 1, 0, 4, 0, 0},
		"spc without pair": {2, 0, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 2, 0},
		"mining no run":    {2, flagMining, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0},
		"mining strength":  {2, flagMining, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 0, 0, 1, 'r', 4, 1, 0, 0, 0},
	} {
		if _, err := ParseCursor(reseal(b)); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: err %v, want ErrBadCursor", name, err)
		}
	}
	// The minimal well-formed body parses, so the cases above fail for their own reason.
	if _, err := ParseCursor(reseal([]byte{2, 0, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 0, 0})); err != nil {
		t.Errorf("minimal cursor: %v", err)
	}
	if _, err := ParseCursor(reseal([]byte{2, flagMining, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0, 0, 0, 1, 'r', 4, 0, 0, 0, 0})); err != nil {
		t.Errorf("minimal mining cursor: %v", err)
	}
}

func TestCursorCheck(t *testing.T) {
	c := sampleCursors[0]
	p := Params{Seed: 42, Epoch: 7, Mix: Mix{2, 2, 2}, BatchSize: 64, World: 4, Rank: 3}
	if err := c.Check(c.SnapshotID, p); err != nil {
		t.Fatalf("matching request: %v", err)
	}
	p.Epoch = 1 // the epoch is the cursor's to say
	if err := c.Check(c.SnapshotID, p); err != nil {
		t.Errorf("other epoch: %v", err)
	}
	if err := c.Check("other", p); !errors.Is(err, ErrSnapshotMismatch) {
		t.Errorf("other snapshot: %v", err)
	}
	for name, edit := range map[string]func(*Params){
		"seed":             func(p *Params) { p.Seed++ },
		"mix":              func(p *Params) { p.Mix = Mix{1, 2, 1} },
		"batch size":       func(p *Params) { p.BatchSize = 32 },
		"world":            func(p *Params) { p.World = 8 },
		"rank":             func(p *Params) { p.Rank = 0 },
		"class balance":    func(p *Params) { p.ClassBalance = true },
		"split":            func(p *Params) { p.Split = SplitVal },
		"evaluation":       func(p *Params) { p.Evaluation = true },
		"pairing":          func(p *Params) { p.Pairing = true },
		"stegos per cover": func(p *Params) { p.Pairing, p.StegosPerCover = true, 2 },
		"augment":          func(p *Params) { p.Augment = true },
		"mining":           func(p *Params) { p.Mining = Mining{Run: "x"} },
	} {
		q := p
		edit(&q)
		err := c.Check(c.SnapshotID, q)
		if !errors.Is(err, ErrCursorMismatch) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s changed: err %v", name, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	for _, c := range sampleCursors {
		f.Add(c.Encode())
	}
	f.Add("")
	f.Add("AQA")
	f.Add(strings.Repeat("_", 600))
	f.Add(reseal([]byte{1, 0, 0, 0, 1, 1, 1, 4, 0, 1, 0, 0}))
	based := sampleCursors[0]
	based.Base = 300
	f.Add(based.Encode())
	f.Add(ElasticCursor(based.Encode(), 12))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("error not wrapping ErrBadCursor: %v", err)
			}
			return
		}
		if err := c.Params.Validate(); err != nil {
			t.Fatalf("parsed cursor has invalid params: %v", err)
		}
		text := c.Encode()
		if c.Elastic {
			text = ElasticCursor(text, c.Consumed)
		}
		again, err := ParseCursor(text)
		if err != nil || again != c {
			t.Fatalf("re-encoding %+v: %+v, %v", c, again, err)
		}
	})
}
