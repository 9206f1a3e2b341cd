package sampling

import "errors"

// ErrInvalidParams marks a request whose parameters are out of range (a gRPC
// server maps it to InvalidArgument).
var ErrInvalidParams = errors.New("invalid parameters")

// ErrEmptyPool marks a mix that asks for a kind the snapshot does not serve
// (a gRPC server maps it to FailedPrecondition).
var ErrEmptyPool = errors.New("the mix asks for a kind the snapshot does not serve (give that kind weight 0, or add samples of it and reindex)")

// ErrBadCursor marks a cursor string that is not one this package wrote:
// garbage, truncated, edited or of an unknown version (InvalidArgument).
var ErrBadCursor = errors.New("bad cursor (send a cursor exactly as a batch carried it, or leave it out to start over)")

// ErrCursorMismatch marks a well-formed cursor whose schedule parameters differ
// from the request's (InvalidArgument).
var ErrCursorMismatch = errors.New("the cursor does not match the request (resume with the seed, mix, batch size, rank, world size and class balance it was made with, or leave it out to start over)")

// ErrSnapshotMismatch marks a cursor made over another snapshot than the one
// the request would be served from (FailedPrecondition: pin the cursor's
// snapshot if it is still held, or start over).
var ErrSnapshotMismatch = errors.New("the cursor belongs to another snapshot (pin the cursor's snapshot while a stream still holds it, or leave the cursor out to start over on the current one)")
