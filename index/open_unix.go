//go:build unix

package index

import (
	"os"
	"syscall"
)

// openFlags opens without blocking, so a file swapped for a FIFO after the
// Lstat cannot hang the scan; the type is checked again on the open file.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
