package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"time"
)

// BackupDir is the folder, under the root, that keeps every manifest
// before it is rewritten (one subfolder per run, named by its UTC time).
// Names starting with "." are skipped by the index.
const BackupDir = ".migrate-backup"

// beforeRename, when set (by tests), runs between writing a manifest's
// temporary file and renaming it over the manifest; an error stops there.
var beforeRename func(tmp, dst string) error

// now is the clock that names backup folders.
var now = time.Now

// Result is what Apply did.
type Result struct {
	// Backup is the run's backup folder relative to the root, "" when
	// nothing was changed.
	Backup string
	// Renamed, Moved and Rewritten count the folders renamed or merged,
	// the files moved and the manifests rewritten.
	Renamed, Moved, Rewritten int
	// Skipped lists what was left in place because something was in the way.
	Skipped []string
}

// Apply carries out the plan: it backs up every manifest it will rewrite
// (and the plan itself) under BackupDir, renames the category folders,
// moves the files, and last writes each new manifest atomically (temporary
// file in the same folder, fsync, rename, fsync of the folder), so an
// interruption leaves the old manifest whole and a new run finishes the
// job. A manifest changed since the plan was made is not overwritten.
func (p *Plan) Apply(ctx context.Context) (*Result, error) {
	res := &Result{}
	if p.Empty() {
		return res, nil
	}
	r, err := os.OpenRoot(p.Root)
	if err != nil {
		return res, fmt.Errorf("migrate: %w", err)
	}
	defer r.Close()
	if res.Backup, err = p.backup(r); err != nil {
		return res, err
	}
	for _, s := range p.Submissions {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := s.apply(r, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// backup writes the plan and the old manifests to a new backup folder.
func (p *Plan) backup(r *os.Root) (string, error) {
	stamp := now().UTC().Format("20060102T150405Z")
	dir := BackupDir + "/" + stamp
	for i := 2; ; i++ {
		if _, err := r.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dir = fmt.Sprintf("%s/%s-%d", BackupDir, stamp, i)
	}
	if err := r.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("migrate: creating the backup folder: %w", err)
	}
	var plan bytes.Buffer
	p.Write(&plan)
	if err := writeSynced(r, dir+"/PLAN.txt", plan.Bytes(), 0o644); err != nil {
		return "", err
	}
	for _, s := range p.Submissions {
		if s.Manifest == nil {
			continue
		}
		dst := dir + "/" + s.Manifest.Path
		if err := r.MkdirAll(path.Dir(dst), 0o755); err != nil {
			return "", fmt.Errorf("migrate: backup: %w", err)
		}
		if err := writeSynced(r, dst, s.Manifest.Old, 0o644); err != nil {
			return "", err
		}
		syncDir(r, path.Dir(dst))
	}
	syncDir(r, dir)
	return dir, nil
}

// apply renames, moves, then rewrites the manifest of one submission.
func (s *Submission) apply(r *os.Root, res *Result) error {
	neg := s.Dir + "/"
	for _, rn := range s.Renames {
		from, to := neg+rn.From, neg+rn.To
		if !rn.Merge {
			if _, err := r.Lstat(to); err == nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s not renamed: %s appeared", from, to))
				continue
			}
			if err := r.Rename(from, to); err != nil {
				return fmt.Errorf("migrate: renaming %s to %s: %w", from, to, err)
			}
			res.Renamed++
			continue
		}
		skip := map[string]bool{}
		for _, n := range rn.Skip {
			skip[n] = true
		}
		ents, err := readDir(r, from)
		if err != nil {
			return fmt.Errorf("migrate: listing %s: %w", from, err)
		}
		for _, e := range ents {
			src, dst := from+"/"+e.Name(), to+"/"+e.Name()
			if skip[e.Name()] {
				continue
			}
			if _, err := r.Lstat(dst); err == nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s not moved: %s exists", src, dst))
				continue
			}
			if err := r.Rename(src, dst); err != nil {
				return fmt.Errorf("migrate: moving %s to %s: %w", src, dst, err)
			}
		}
		if err := r.Remove(from); err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s kept: it is not empty", from))
		}
		res.Renamed++
	}
	for _, m := range s.Moves {
		from, to := neg+m.From, neg+m.To
		if _, err := r.Lstat(to); err == nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s not moved: %s exists", from, to))
			continue
		}
		if err := r.MkdirAll(path.Dir(to), 0o755); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := r.Rename(from, to); err != nil {
			return fmt.Errorf("migrate: moving %s to %s: %w", from, to, err)
		}
		res.Moved++
	}
	syncDir(r, s.Dir)
	if s.Manifest == nil {
		return nil
	}
	cur, err := r.ReadFile(s.Manifest.Path)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !bytes.Equal(cur, s.Manifest.Old) {
		return fmt.Errorf("migrate: %s changed since the plan was made; not overwritten (run migrate again)", s.Manifest.Path)
	}
	if err := writeAtomic(r, s.Manifest.Path, s.Manifest.New, s.Manifest.mode); err != nil {
		return err
	}
	res.Rewritten++
	return nil
}

// writeAtomic replaces name with data: a temporary file in the same folder
// is written, synced and renamed over name, then the folder is synced. On
// any failure the temporary file is removed and name is untouched.
func writeAtomic(r *os.Root, name string, data []byte, mode fs.FileMode) (err error) {
	dir, base := path.Dir(name), path.Base(name)
	var f *os.File
	var tmp string
	for tries := 0; ; tries++ {
		var rnd [6]byte
		_, _ = rand.Read(rnd[:])
		tmp = dir + "/." + base + ".migrate-" + hex.EncodeToString(rnd[:])
		f, err = r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || tries > 8 {
			return fmt.Errorf("migrate: creating a temporary file next to %s: %w", name, err)
		}
	}
	defer func() {
		if err != nil {
			f.Close()
			r.Remove(tmp)
		}
	}()
	if mode == 0 {
		mode = 0o644
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("migrate: writing %s: %w", tmp, err)
	}
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("migrate: syncing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("migrate: closing %s: %w", tmp, err)
	}
	if beforeRename != nil {
		if err = beforeRename(tmp, name); err != nil {
			return err
		}
	}
	if err = r.Rename(tmp, name); err != nil {
		return fmt.Errorf("migrate: renaming %s over %s: %w", tmp, name, err)
	}
	syncDir(r, dir)
	return nil
}

// writeSynced writes a new file and syncs it.
func writeSynced(r *os.Root, name string, data []byte, mode fs.FileMode) error {
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("migrate: backup: %w", err)
	}
	_, err = io.Copy(f, bytes.NewReader(data))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate: backup %s: %w", name, err)
	}
	return nil
}

// syncDir flushes a folder's entries (renames) to disk, best effort.
func syncDir(r *os.Root, dir string) {
	if d, err := r.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
