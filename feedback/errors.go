package feedback

import "errors"

// ErrInvalid marks a request the store refuses: a bad run name (a gRPC
// server maps it to InvalidArgument).
var ErrInvalid = errors.New("invalid loss report")

// ErrUnknownState marks a frozen loss table this store does not hold: frozen
// on another replica, or evicted with its run (FailedPrecondition).
var ErrUnknownState = errors.New("unknown mining state")

// ErrClosed marks a call on a closed store (Unavailable).
var ErrClosed = errors.New("loss feedback store closed (server shutting down): retry on another replica or after the restart")

// ErrStore marks a failure of the store file (Internal).
var ErrStore = errors.New("feedback: store")
