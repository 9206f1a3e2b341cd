package index

import (
	"context"
	"errors"
	"time"
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
}

// Options tune Build.
type Options struct {
	// Workers is the number of files hashed and parsed at once; 0 means GOMAXPROCS.
	Workers int
	// Previous, when set, lets Build reuse what has not changed (path, size, mtime).
	Previous *Snapshot
	// Progress, when set, is called as files are done.
	Progress func(done, total int)
}

// Changes is what differs between two snapshots.
type Changes struct {
	Added, Removed, Changed []string
	NewProblems             []Problem
}

// Build scans root and returns its snapshot. Problems in the tree never make
// it fail; only an unreadable root or a cancelled ctx do.
func Build(ctx context.Context, root string, opts Options) (*Snapshot, error) {
	return nil, errors.New("index: not implemented yet")
}
