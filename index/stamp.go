package index

// stamp identifies one version of a file beyond its size and mtime (see
// changeStamp); reuse by Options.Previous requires it unchanged.
type stamp struct {
	ino   uint64
	ctime int64
}
