// Package index scans a dataset tree of submissions, validates it and
// returns an immutable snapshot of the samples the server may serve.
package index

import (
	"time"

	"github.com/starlight/dataserver/codec"
)

// Kind is the role of a sample in training.
type Kind int

// The three kinds of sample.
const (
	KindClean Kind = iota
	KindStego
	KindNegative
)

// String returns the lowercase name of the kind.
func (k Kind) String() string {
	switch k {
	case KindClean:
		return "clean"
	case KindStego:
		return "stego"
	case KindNegative:
		return "negative"
	}
	return "unknown"
}

// BitOrder is the bit order of a stego payload, as the trainer's one-hot
// [lsb-first, msb-first, none] encodes it.
type BitOrder int

// The bit orders, in one-hot position order.
const (
	BitOrderLSBFirst BitOrder = iota
	BitOrderMSBFirst
	BitOrderNone
)

// Technique class ids of SPEC.md section 1; ClassNone marks clean and negative samples.
const (
	ClassNone    = -1
	ClassAlpha   = 0
	ClassPalette = 1
	ClassLSBRGB  = 2
	ClassEXIF    = 3
	ClassRaw     = 4
)

// Sample is one image of the tree with everything the index knows of it.
type Sample struct {
	// ID is the hex sha256 of the file's bytes (the content id).
	ID string
	// Path is the path relative to the root, slash separated.
	Path       string
	Submission string
	Kind       Kind
	// Class is the technique class id 0..4 of a stego sample, ClassNone otherwise.
	Class int
	// Technique is the sidecar's technique name ("alpha", "lsb.rgb", ...), "" if none.
	Technique string
	BitOrder  BitOrder
	// AI42 is the sidecar's ai42 flag.
	AI42 bool
	// Category is the negative category (mapped to its current name), "" otherwise.
	Category string
	// MethodConstraint is the negative's method_constraint (or legacy constraint), kept as given.
	MethodConstraint string
	Format           codec.Format
	Mode             codec.Mode
	Width, Height    int
	Size             int64
	ModTime          time.Time
	// CoverID is the content id of the stego sample's cover, "" if none.
	CoverID string
	// CoverPath is the path of the cover named by clean_file, "" if none.
	CoverPath string
	// Accepted is true when the sample may be served (valid, and for a
	// negative, no payload found).
	Accepted bool
	// Group is the key of the sample's split group (a cover with its stegos
	// and every byte-identical copy): the smallest content id of its covers,
	// clean images and negatives, else of its stegos.
	Group string
	// Split is the split the group is assigned to (SplitTrain, SplitVal or SplitTest).
	Split string
	// CopyOf is the path of the first accepted sample (by path) with the
	// same bytes when this accepted sample is a later copy, else "": the
	// bytes are served once (see ServedIn).
	CopyOf string
}

// Severity ranks a problem.
type Severity int

// Problem severities.
const (
	SeverityWarning Severity = iota
	SeverityError
)

// Problem is one finding of validation: a file, a line when it applies, and the reason.
type Problem struct {
	Severity Severity `json:"severity"`
	// Code is a short stable identifier such as "sidecar-schema" or "payload-in-negative".
	Code string `json:"code"`
	// Path is the file or folder, relative to the root, slash separated.
	Path string `json:"path"`
	// Line is the 1-based line of a manifest, 0 when not applicable.
	Line    int    `json:"line"`
	Message string `json:"message"`
}
