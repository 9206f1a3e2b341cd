//go:build unix

package index

import (
	"io/fs"
	"syscall"
)

// changeStamp returns what, besides size and mtime, tells that a file was
// rewritten: its inode and ctime. A write in place that keeps the size and
// sets the mtime back (touch -d, a copy with preserved times) still moves the
// ctime, which no utimes call can set.
func changeStamp(fi fs.FileInfo) stamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return stamp{}
	}
	return stamp{ino: uint64(st.Ino), ctime: int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)}
}
