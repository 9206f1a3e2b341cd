// Package e2e holds the end-to-end tests of the data server: real gRPC
// servers (in this process through the server package, and `dataserver
// serve` child processes for restarts and replicas) on loopback TCP over a
// copy of the shared corpus, driven through the Go client.
package e2e
