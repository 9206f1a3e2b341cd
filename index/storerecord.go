package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/starlight/dataserver/codec"
)

// storedFile is a fileResult as the store keeps it (JSON, short names).
type storedFile struct {
	Size     int64           `json:"s"`
	MTime    int64           `json:"m"`
	Ino      uint64          `json:"i,omitempty"`
	CTime    int64           `json:"c,omitempty"`
	ID       string          `json:"id,omitempty"`
	Image    bool            `json:"img,omitempty"`
	Cfg      codec.Config    `json:"cfg"`
	HeaderOK bool            `json:"h,omitempty"`
	Probs    []Problem       `json:"p,omitempty"`
	CheckKey string          `json:"k,omitempty"`
	Sidecar  *Sidecar        `json:"sc,omitempty"`
	Manifest []ManifestEntry `json:"mf,omitempty"`
}

// errRecord reports a store record that fails its checksum or does not parse.
var errRecord = errors.New("index store: corrupted record")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeRecord renders r as a store value: a CRC-32C of key and body, then
// the JSON body. The key is in the sum so a value moved under another key
// by a damaged page is caught too.
func encodeRecord(key string, r *fileResult) ([]byte, error) {
	s := storedFile{
		Size: r.size, MTime: r.mtime.UnixNano(), Ino: r.change.ino, CTime: r.change.ctime,
		ID: r.id, Image: r.image, Cfg: r.cfg, HeaderOK: r.headerOK, Probs: r.probs,
		CheckKey: r.checkKey, Manifest: r.manifest,
	}
	if r.sidecarOK {
		sc := r.sidecar
		s.Sidecar = &sc
	}
	body, err := json.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("index store: encoding %s: %w", key, err)
	}
	out := make([]byte, 4, 4+len(body))
	binary.LittleEndian.PutUint32(out, recordSum(key, body))
	return append(out, body...), nil
}

// decodeRecord parses a value written by encodeRecord under key.
func decodeRecord(key string, v []byte) (*fileResult, error) {
	if len(v) < 4 {
		return nil, fmt.Errorf("%w %q: %d bytes", errRecord, key, len(v))
	}
	body := v[4:]
	if binary.LittleEndian.Uint32(v) != recordSum(key, body) {
		return nil, fmt.Errorf("%w %q: checksum mismatch", errRecord, key)
	}
	var s storedFile
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("%w %q: %v", errRecord, key, err)
	}
	r := &fileResult{
		size: s.Size, mtime: time.Unix(0, s.MTime), change: stamp{ino: s.Ino, ctime: s.CTime},
		id: s.ID, image: s.Image, cfg: s.Cfg, headerOK: s.HeaderOK, probs: s.Probs,
		checkKey: s.CheckKey, manifest: s.Manifest,
	}
	if s.Sidecar != nil {
		r.sidecar, r.sidecarOK = *s.Sidecar, true
	}
	return r, nil
}

func recordSum(key string, body []byte) uint32 {
	c := crc32.Update(0, crcTable, []byte(key))
	return crc32.Update(c, crcTable, body)
}
