//go:build !unix

package index

import "io/fs"

// changeStamp has nothing beyond size and mtime to offer on this platform.
func changeStamp(fs.FileInfo) stamp { return stamp{} }
