package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
)

// Snapshot is an immutable view of a dataset tree at one moment.
type Snapshot struct {
	// ID depends only on the content ids and labels of the samples, so two
	// servers over the same tree agree on it.
	ID      string
	Root    string
	Created time.Time
	// Samples holds every image found, sorted by Path, accepted or not.
	Samples []Sample
	// Problems holds the validation report, sorted by Path then Line.
	Problems []Problem
	// Duplicates lists the groups of paths holding the same bytes under the
	// same label (train/val leakage when they land in different splits);
	// the same bytes under different labels are duplicate-conflict problems.
	Duplicates [][]string
	// Splits is the split configuration the samples were assigned with.
	Splits SplitConfig

	// files remembers what each file's reading taught, for Options.Previous.
	files map[string]*fileResult
}

// Options tune Build.
type Options struct {
	// Workers is the number of files hashed and parsed at once; 0 means GOMAXPROCS.
	Workers int
	// Previous, when set, lets Build reuse what has not changed (path, size,
	// mtime and, on unix, inode and ctime).
	Previous *Snapshot
	// Store, when set, keeps what each file's reading taught across
	// restarts: a Build without Previous reuses its records as it would
	// Previous's, and every Build writes what it read anew (see Store).
	Store *Store
	// Progress, when set, is called as files are done, from the goroutine
	// that called Build.
	Progress func(done, total int)
	// MaxFileSize is the largest image read in bytes; 0 means extract.DefaultMaxFileSize.
	MaxFileSize int64
	// Limits bound the images decoded and the headers accepted; zero means
	// codec.DefaultLimits.
	Limits codec.Limits
	// HeaderOnly skips the full decode of images that no payload check
	// decodes (clean images, exif and raw stego): only their header and
	// structure are checked. Faster for a first look at a huge tree, but a
	// file whose pixel data is corrupt is then found only when served.
	HeaderOnly bool
	// Extracted, when set, is called from the index's workers with the
	// streams of each image the index decoded and found no error in, so
	// that a cache of streams can keep them: the first epoch then costs no
	// second decode. id is the content id. It must be safe for concurrent
	// use and must not keep s beyond what a cache would (s is not modified).
	Extracted func(id string, s *extract.Streams)
	// Splits assigns the samples to train, val and test; the zero value is
	// the default (train=0.9, val=0.1). Build fails on an invalid one.
	Splits SplitConfig
}

// Changes is what differs between two snapshots.
type Changes struct {
	// Added, Removed and Changed are sample paths; Changed holds the paths
	// whose content id, label or acceptance differs.
	Added, Removed, Changed []string
	// NewProblems are the problems of the new snapshot absent from the old.
	NewProblems []Problem
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Added)+len(c.Removed)+len(c.Changed)+len(c.NewProblems) == 0
}

// Build scans root and returns its snapshot. Problems in the tree never make
// it fail; only an unreadable root or a cancelled ctx do.
//
// Every folder of root named *_submission_* is a submission, and so are
// folders named val/ and test/ (pinned to that split); its clean/,
// stego/ and negatives/ folders are scanned, everything else (seeds,
// scripts, READMEs) is ignored, as are names starting with ".". All access
// goes through an os.Root: symbolic links out of the root, loops and links
// to folders are reported, never followed; FIFOs and devices are never
// opened. Each file is hashed and its header parsed (no pixel decoding)
// on Options.Workers goroutines; negatives are decoded to run the five
// payload extractors, and stego images of the pixel techniques to check
// that the declared extractor recovers a payload.
//
// Sidecars and manifest lines are validated against the published JSON
// Schemas (package schemas), then checked for what a schema cannot say.
// Image folders outside the standard places (outside any submission, in a
// submission but outside its three sample folders, or below stego/) are
// reported as misplaced-folder warnings with their image count and the
// command that moves them; they are counted by extension, never opened.
//
// Every file taken as an image becomes a Sample; it is served (Accepted)
// unless an error problem names it, its sidecar has an error, its manifest
// line gives it a label other than clean, or its bytes carry another label
// elsewhere. Files whose names are not valid UTF-8 are reported and left
// out of Samples (their paths cannot travel as protobuf strings).
//
// Every sample is then assigned to a split by its group (Options.Splits,
// see SplitOf and ServedIn), and the leak check's warnings are added.
func Build(ctx context.Context, root string, opts Options) (*Snapshot, error) {
	return build(ctx, root, opts)
}

// Served returns the accepted samples, sorted by Path.
func (s *Snapshot) Served() []Sample {
	out := make([]Sample, 0, len(s.Samples))
	for _, x := range s.Samples {
		if x.Accepted {
			out = append(out, x)
		}
	}
	return out
}

// Sample returns the sample at path p.
func (s *Snapshot) Sample(p string) (Sample, bool) {
	i := sort.Search(len(s.Samples), func(i int) bool { return s.Samples[i].Path >= p })
	if i < len(s.Samples) && s.Samples[i].Path == p {
		return s.Samples[i], true
	}
	return Sample{}, false
}

// Errors returns the number of error problems.
func (s *Snapshot) Errors() int {
	n := 0
	for _, p := range s.Problems {
		if p.Severity == SeverityError {
			n++
		}
	}
	return n
}

// snapshotID hashes the split configuration's id and the sorted records
// (content id, kind, class, bit order, category, accepted, split) of the
// samples: paths, times and the root play no part.
func snapshotID(samples []Sample, splits SplitConfig) string {
	recs := make([]string, len(samples))
	for i, s := range samples {
		recs[i] = s.Split + "\t" + record(s)
	}
	sort.Strings(recs)
	h := sha256.New()
	h.Write([]byte("splits " + splits.ID() + "\n"))
	for _, r := range recs {
		h.Write([]byte(r))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// record is a sample's content and label, as Diff compares them; the
// snapshot id hashes it with the sample's split (a split move is reported
// apart, as catalog.Result.SplitMoves).
func record(s Sample) string {
	return fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%t\n", s.ID, s.Kind, s.Class, s.BitOrder, s.Category, s.Accepted)
}

// Diff returns what changed from old to new, by path. A nil old counts as empty.
func Diff(old, new *Snapshot) Changes {
	var c Changes
	if new == nil {
		new = &Snapshot{}
	}
	if old == nil {
		old = &Snapshot{}
	}
	before := make(map[string]Sample, len(old.Samples))
	for _, s := range old.Samples {
		before[s.Path] = s
	}
	for _, s := range new.Samples {
		o, ok := before[s.Path]
		switch {
		case !ok:
			c.Added = append(c.Added, s.Path)
		case record(o) != record(s):
			c.Changed = append(c.Changed, s.Path)
		}
		delete(before, s.Path)
	}
	for p := range before {
		c.Removed = append(c.Removed, p)
	}
	sort.Strings(c.Removed)
	had := make(map[Problem]bool, len(old.Problems))
	for _, p := range old.Problems {
		had[p] = true
	}
	for _, p := range new.Problems {
		if !had[p] {
			c.NewProblems = append(c.NewProblems, p)
		}
	}
	return c
}
