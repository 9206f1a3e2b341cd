// Package client is the Go client of the data server: it dials one server,
// a list of replicas or a DNS name, authenticates with a bearer token (over
// TLS, or in plaintext on loopback), streams training batches that resume by
// themselves from the last cursor on transient errors (failing over to
// another replica), reads Stats, asks for a Reindex, and gives back the batch
// a receipt names (Replay, Explain). Batches expose their
// tensors as []uint8 and []float32 views without a copy per sample; packed
// bit planes are unpacked on demand.
package client
