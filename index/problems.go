package index

import (
	"fmt"
	"strings"
)

// Problem codes. Each is short and stable: reports, tests and
// CONTRIBUTING-DATA.md refer to them. "E" marks an error (the sample it
// names is not served, or a label is wrong), "W" a warning.
//
//	code                   sev  meaning
//	unreadable-dir         E    a directory of a submission cannot be listed
//	unreadable             E    a file cannot be opened or read
//	not-regular            E    a FIFO, socket or device where files are expected; never opened
//	name-not-utf8          E    a file or folder name that is not valid UTF-8; skipped
//	symlink-escape         E    a symbolic link that points out of the root; not followed
//	symlink-loop           E    a symbolic link that resolves to itself (ELOOP)
//	symlink-dangling       E    a symbolic link to nothing
//	symlink-dir            W    a symbolic link to a folder; not followed
//	too-deep               E    folders nested deeper than the scan goes
//	stray-file             W    a file that is neither an image nor a sidecar or manifest; ignored
//	file-too-large         E    a file larger than Options.MaxFileSize
//	not-image              E    a file named as an image whose bytes are no supported format
//	header                 E    the image header cannot be parsed
//	too-large              E    the header declares more pixels than the limits (dimension bomb)
//	truncated              E    the file ends before the image data does
//	corrupt                E    the image structure is invalid
//	decode                 E    a negative or stego image fails to decode
//	sidecar-missing        E    a stego image without a sidecar
//	sidecar-ambiguous      E    one <stem>.json sidecar would serve two stego images
//	sidecar-orphan         W    a sidecar without its stego image
//	sidecar-too-large      E    a sidecar over the 1 MiB bound
//	sidecar-json           E    a sidecar that is not one JSON object
//	sidecar-schema         E    a sidecar field missing, of the wrong type or with an unknown value
//	sidecar-field          W    an optional sidecar field of the wrong type; ignored
//	sidecar-category       W    the sidecar's category does not match its technique
//	alpha-bit-order        W    an alpha sidecar declares msb-first; alpha payloads are lsb-first
//	ai42-mismatch          W    the sidecar's ai42 flag disagrees with the payload's marker
//	label-mismatch         E    the technique cannot hold for the image (alpha without RGBA, palette on a non-paletted image, ...)
//	stego-no-payload       E    the declared extractor recovers no payload from a stego image
//	bit-order-wrong        E    the payload is there, in the other bit order than the sidecar says
//	clean-file-path        E    clean_file is absolute, climbs out with "..", or is not a plain name
//	cover-unnamed          W    a sidecar without clean_file
//	cover-missing          W    clean_file names a cover absent from the sibling clean/
//	cover-rejected         W    the cover exists but is itself not served
//	manifest-too-large     E    a manifest over the 64 MiB bound; the rest is not read
//	manifest-line-too-long E    a manifest line over the 64 KiB bound; that line is skipped
//	manifest-json          E    a manifest line that is not one JSON object in UTF-8
//	manifest-schema        E    a manifest line in neither schema or without a usable path
//	manifest-field         W    an optional manifest field of the wrong type; ignored
//	manifest-path          E    a manifest path that is absolute, climbs out with "..", or is malformed
//	manifest-missing-file  E    a manifest line names a file that is not there
//	manifest-duplicate     W    two manifest lines name the same file; the first wins
//	manifest-unlisted      W    a negative not in its submission's manifest; category from its folder
//	negative-label         E    a negative whose manifest declares a label other than clean
//	negative-uncategorized E    a negative directly under negatives/ with no category
//	category-unknown       W    a negative category outside the known list
//	category-mismatch      W    the manifest's category differs from the folder's
//	legacy-layout          W    a legacy-schema manifest or an old category folder name; read, but dataserver migrate updates it
//	format-type-mismatch   W    the manifest's format_type differs from the decoded mode
//	payload-in-negative    E    one of the five extractors recovers a payload from a negative
//	duplicate-conflict     E    the same bytes under two different labels
//	format-imbalance       W    a submission has stego images of a format it has no clean images of
//	misplaced-folder       W    an image folder outside the standard places (nothing indexes it, or stego/ is not flat); the message has the count and the move command
//	root-is-submission     E    the root is one submission (it holds clean/, stego/ or negatives/), not the datasets folder
//	root-empty             E    the root holds no <owner>_submission_<year> folder: nothing to serve
//	internal               E    a bug in the indexer, caught; the file is not served
const (
	CodeUnreadableDir         = "unreadable-dir"
	CodeUnreadable            = "unreadable"
	CodeNotRegular            = "not-regular"
	CodeNameNotUTF8           = "name-not-utf8"
	CodeSymlinkEscape         = "symlink-escape"
	CodeSymlinkLoop           = "symlink-loop"
	CodeSymlinkDangling       = "symlink-dangling"
	CodeSymlinkDir            = "symlink-dir"
	CodeTooDeep               = "too-deep"
	CodeStrayFile             = "stray-file"
	CodeFileTooLarge          = "file-too-large"
	CodeNotImage              = "not-image"
	CodeHeader                = "header"
	CodeTooLarge              = "too-large"
	CodeTruncated             = "truncated"
	CodeCorrupt               = "corrupt"
	CodeDecode                = "decode"
	CodeSidecarMissing        = "sidecar-missing"
	CodeSidecarAmbiguous      = "sidecar-ambiguous"
	CodeSidecarOrphan         = "sidecar-orphan"
	CodeSidecarTooLarge       = "sidecar-too-large"
	CodeSidecarJSON           = "sidecar-json"
	CodeSidecarSchema         = "sidecar-schema"
	CodeSidecarField          = "sidecar-field"
	CodeSidecarCategory       = "sidecar-category"
	CodeAlphaBitOrder         = "alpha-bit-order"
	CodeAI42Mismatch          = "ai42-mismatch"
	CodeLabelMismatch         = "label-mismatch"
	CodeStegoNoPayload        = "stego-no-payload"
	CodeBitOrderWrong         = "bit-order-wrong"
	CodeCleanFilePath         = "clean-file-path"
	CodeCoverUnnamed          = "cover-unnamed"
	CodeCoverMissing          = "cover-missing"
	CodeCoverRejected         = "cover-rejected"
	CodeManifestTooLarge      = "manifest-too-large"
	CodeManifestLineTooLong   = "manifest-line-too-long"
	CodeManifestJSON          = "manifest-json"
	CodeManifestSchema        = "manifest-schema"
	CodeManifestField         = "manifest-field"
	CodeManifestPath          = "manifest-path"
	CodeManifestMissingFile   = "manifest-missing-file"
	CodeManifestDuplicate     = "manifest-duplicate"
	CodeManifestUnlisted      = "manifest-unlisted"
	CodeNegativeLabel         = "negative-label"
	CodeNegativeUncategorized = "negative-uncategorized"
	CodeCategoryUnknown       = "category-unknown"
	CodeCategoryMismatch      = "category-mismatch"
	CodeLegacyLayout          = "legacy-layout"
	CodeFormatTypeMismatch    = "format-type-mismatch"
	CodePayloadInNegative     = "payload-in-negative"
	CodeDuplicateConflict     = "duplicate-conflict"
	CodeFormatImbalance       = "format-imbalance"
	CodeMisplacedFolder       = "misplaced-folder"
	CodeRootIsSubmission      = "root-is-submission"
	CodeRootEmpty             = "root-empty"
	CodeInternal              = "internal"
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityError {
		return "error"
	}
	return "warning"
}

// MarshalText writes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	default:
		return fmt.Errorf("index: unknown severity %q", b)
	}
	return nil
}

// String formats the problem as "path:line: severity code: message" on one
// line: the path and message go through Printable.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(Printable(p.Path))
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	fmt.Fprintf(&b, ": %s %s: %s", p.Severity, p.Code, Printable(p.Message))
	return b.String()
}

func errorf(code, format string, args ...any) Problem {
	return Problem{Severity: SeverityError, Code: code, Message: fmt.Sprintf(format, args...)}
}

func warnf(code, format string, args ...any) Problem {
	return Problem{Severity: SeverityWarning, Code: code, Message: fmt.Sprintf(format, args...)}
}
