package sampling

import "errors"

// ErrInvalidParams marks a request whose parameters are out of range (a gRPC
// server maps it to InvalidArgument).
var ErrInvalidParams = errors.New("sampling: invalid parameters")

// ErrEmptyPool marks a mix that asks for a kind the snapshot does not serve
// (a gRPC server maps it to FailedPrecondition).
var ErrEmptyPool = errors.New("sampling: empty pool")

// ErrBadCursor marks a cursor string that is not one this package wrote:
// garbage, truncated, edited or of an unknown version (InvalidArgument).
var ErrBadCursor = errors.New("sampling: bad cursor")

// ErrCursorMismatch marks a well-formed cursor whose schedule parameters differ
// from the request's (InvalidArgument).
var ErrCursorMismatch = errors.New("sampling: cursor does not match the request")

// ErrSnapshotMismatch marks a cursor made over another snapshot than the one
// the request would be served from (FailedPrecondition: pin the cursor's
// snapshot if it is still held, or start over).
var ErrSnapshotMismatch = errors.New("sampling: cursor belongs to another snapshot")
