// Package reliability holds tests that try to break the data server: a
// hostile dataset tree built on the fly (truncations, bit flips, dimension
// bombs, scan and frame bombs, EXIF loops, giant sidecars and manifest
// lines, escaping paths and symlinks, FIFOs, names that are not UTF-8), and
// process-level fault tests against the dataserver binary (SIGKILL and
// resume, slow and stalled consumers, graceful shutdown under load, reindex
// under load, tokens kept out of logs). Each test reports the figures it
// measured; docs/reliability.md lists them with their pass criteria.
//
// The default run takes a few minutes on two cores; the soak variants run
// with `go test ./reliability -long` or RELIABILITY_LONG=1.
package reliability
