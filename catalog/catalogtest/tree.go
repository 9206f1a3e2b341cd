// Package catalogtest builds index snapshots for tests with a small, plain
// scanner of its own: submissions, kinds from the folders, stego techniques
// from the sidecars, negative categories from the folder names. It is not the
// index (no manifests, no validation); tests use it where the point is the
// serving path, and as a stand-in builder for catalog.Options.Build.
package catalogtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
)

var classes = map[string]int{
	"alpha": index.ClassAlpha, "palette": index.ClassPalette, "lsb.rgb": index.ClassLSBRGB,
	"exif": index.ClassEXIF, "raw": index.ClassRaw,
}

// Build scans root and returns a snapshot; it matches catalog.BuildFunc.
func Build(ctx context.Context, root string, _ index.Options) (*index.Snapshot, error) {
	subs, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("catalogtest: reading root %s: %w", root, err)
	}
	snap := &index.Snapshot{Root: root, Created: time.Now()}
	for _, sub := range subs {
		if !sub.IsDir() || !strings.Contains(sub.Name(), "_submission_") {
			continue
		}
		err := filepath.WalkDir(filepath.Join(root, sub.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rel, _ := filepath.Rel(root, p)
			s, ok := sample(root, filepath.ToSlash(rel))
			if ok {
				snap.Samples = append(snap.Samples, s)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(snap.Samples, func(i, j int) bool { return snap.Samples[i].Path < snap.Samples[j].Path })
	h := sha256.New()
	for _, s := range snap.Samples {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00%s\x00%t\n", s.Path, s.ID, s.Kind, s.Class, s.Category, s.Accepted)
	}
	snap.ID = hex.EncodeToString(h.Sum(nil))
	return snap, nil
}

// MustBuild is Build for tests: it fails tb on error.
func MustBuild(tb interface {
	Helper()
	Fatalf(string, ...any)
}, root string) *index.Snapshot {
	tb.Helper()
	s, err := Build(context.Background(), root, index.Options{})
	if err != nil {
		tb.Fatalf("catalogtest: %v", err)
	}
	return s
}

func sample(root, rel string) (index.Sample, bool) {
	parts := strings.Split(rel, "/")
	if len(parts) < 3 {
		return index.Sample{}, false
	}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return index.Sample{}, false
	}
	format := codec.Sniff(data)
	if format == "" {
		return index.Sample{}, false
	}
	sum := sha256.Sum256(data)
	s := index.Sample{
		ID: hex.EncodeToString(sum[:]), Path: rel, Submission: parts[0], Class: index.ClassNone,
		BitOrder: index.BitOrderNone, Format: format, Size: int64(len(data)), Accepted: true,
	}
	if cfg, err := extract.DecodeConfig(data, extract.Options{}); err == nil {
		s.Mode, s.Width, s.Height = cfg.Mode, cfg.Width, cfg.Height
	} else {
		s.Accepted = false
	}
	switch parts[1] {
	case "clean":
		s.Kind = index.KindClean
	case "negatives":
		if len(parts) < 4 {
			return index.Sample{}, false
		}
		s.Kind = index.KindNegative
		s.Category = parts[2]
	case "stego":
		s.Kind = index.KindStego
		if !sidecar(root, rel, &s) {
			s.Accepted = false
		}
	default:
		return index.Sample{}, false
	}
	return s, true
}

func sidecar(root, rel string, s *index.Sample) bool {
	p := filepath.Join(root, filepath.FromSlash(rel))
	data, err := os.ReadFile(p + ".json")
	if err != nil {
		data, err = os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".json")
		if err != nil {
			return false
		}
	}
	var sc struct {
		Embedding struct {
			Technique string `json:"technique"`
			BitOrder  string `json:"bit_order"`
			AI42      bool   `json:"ai42"`
		} `json:"embedding"`
	}
	if json.Unmarshal(data, &sc) != nil {
		return false
	}
	c, ok := classes[sc.Embedding.Technique]
	if !ok {
		return false
	}
	s.Technique, s.Class, s.AI42 = sc.Embedding.Technique, c, sc.Embedding.AI42
	switch {
	case c == index.ClassEXIF || c == index.ClassRaw:
		s.BitOrder = index.BitOrderNone
	case c == index.ClassAlpha || sc.Embedding.BitOrder == "lsb-first":
		s.BitOrder = index.BitOrderLSBFirst
	default:
		s.BitOrder = index.BitOrderMSBFirst
	}
	return true
}
