//go:build !unix

package index

import "os"

// openFlags opens read-only; the type is checked again on the open file.
const openFlags = os.O_RDONLY
