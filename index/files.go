package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// readResult is one file read through the root.
type readResult struct {
	data []byte
	// id is the hex sha256 of the whole file, set even when data is not kept.
	id   string
	size int64
	prob *Problem
}

// openHook, when set (by tests), wraps how the checker opens files.
var openHook func(open func(string) (*os.File, error)) func(string) (*os.File, error)

// readFile opens name with open (which goes through the root, so no path or
// symlink leaves it), refuses anything but a regular file, and reads at most
// max bytes. A larger file is hashed in a stream and reported; its data is
// not kept.
func readFile(open func(string) (*os.File, error), name string, max int64, tooLargeCode string) readResult {
	f, err := open(name)
	if err != nil {
		p := errorf(CodeUnreadable, "cannot open: %v", unwrapPath(err))
		return readResult{prob: &p}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		p := errorf(CodeUnreadable, "cannot stat: %v", unwrapPath(err))
		return readResult{prob: &p}
	}
	if !fi.Mode().IsRegular() {
		p := errorf(CodeNotRegular, "%s, not a regular file; not read", typeName(fi.Mode()))
		return readResult{prob: &p}
	}
	h := sha256.New()
	if fi.Size() > max {
		n, err := io.Copy(h, f)
		if err != nil {
			p := errorf(CodeUnreadable, "read failed after %d bytes: %v", n, unwrapPath(err))
			return readResult{prob: &p}
		}
		p := errorf(tooLargeCode, "file of %d bytes exceeds the %d byte bound", n, max)
		return readResult{id: hex.EncodeToString(h.Sum(nil)), size: n, prob: &p}
	}
	buf := make([]byte, fi.Size()+1)
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil: // grew while being read: one byte more than the stat said
		if fi.Size()+1 > max {
			m, _ := io.Copy(h, io.MultiReader(bytes.NewReader(buf), f))
			p := errorf(tooLargeCode, "file of %d bytes or more exceeds the %d byte bound", m, max)
			return readResult{id: hex.EncodeToString(h.Sum(nil)), size: m, prob: &p}
		}
		rest, err := io.ReadAll(io.LimitReader(f, max-int64(len(buf))+1))
		if err != nil {
			p := errorf(CodeUnreadable, "read failed after %d bytes: %v", len(buf), unwrapPath(err))
			return readResult{prob: &p}
		}
		buf = append(buf, rest...)
		if int64(len(buf)) > max {
			p := errorf(tooLargeCode, "file grew past the %d byte bound while being read", max)
			return readResult{prob: &p}
		}
		n = len(buf)
	case err == io.ErrUnexpectedEOF || err == io.EOF:
	default:
		p := errorf(CodeUnreadable, "read failed after %d bytes: %v", n, unwrapPath(err))
		return readResult{prob: &p}
	}
	data := buf[:n]
	sum := sha256.Sum256(data)
	return readResult{data: data, id: hex.EncodeToString(sum[:]), size: int64(n)}
}

// unwrapPath drops the *PathError wrapper, whose path the problem already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
