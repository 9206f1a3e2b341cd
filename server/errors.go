package server

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/feedback"
	"github.com/starlight/dataserver/sampling"
)

// errorCodes is the one table from domain errors to gRPC codes; the first
// entry the error matches (errors.Is) decides.
var errorCodes = []struct {
	err  error
	code codes.Code
}{
	{sampling.ErrInvalidParams, codes.InvalidArgument},
	{sampling.ErrBadCursor, codes.InvalidArgument},
	{sampling.ErrCursorMismatch, codes.InvalidArgument},
	{feed.ErrInvalid, codes.InvalidArgument},
	{feed.ErrPastEnd, codes.OutOfRange},
	{feed.ErrBadReceipt, codes.InvalidArgument},
	{feed.ErrReceiptStale, codes.FailedPrecondition},
	{errInvalid, codes.InvalidArgument},
	{feedback.ErrInvalid, codes.InvalidArgument},
	{sampling.ErrEmptyPool, codes.FailedPrecondition},
	{feedback.ErrUnknownState, codes.FailedPrecondition},
	{feedback.ErrClosed, codes.Unavailable},
	{sampling.ErrSnapshotMismatch, codes.FailedPrecondition},
	{catalog.ErrSnapshotGone, codes.FailedPrecondition},
	{catalog.ErrReindexRunning, codes.Aborted},
	{catalog.ErrNotReady, codes.Unavailable},
	{catalog.ErrClosed, codes.Unavailable},
	{errDraining, codes.Unavailable},
	{errTooManyStreams, codes.ResourceExhausted},
	{errSendTimeout, codes.DeadlineExceeded},
	{feed.ErrSample, codes.FailedPrecondition},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
	{context.Canceled, codes.Canceled},
}

// Transport-level errors of this package, mapped above.
var (
	errInvalid        = errors.New("invalid request")
	errDraining       = errors.New("server shutting down; resume from the last cursor on another replica or after the restart")
	errTooManyStreams = errors.New("too many streams running")
	errSendTimeout    = errors.New("send timeout: the consumer did not take the batch in time; resume from the last cursor")
)

// toStatus maps a domain error to a gRPC status error, keeping its message.
// Errors that already carry a status pass through; unknown ones are Internal.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	for _, e := range errorCodes {
		if errors.Is(err, e.err) {
			return status.Error(e.code, err.Error())
		}
	}
	return status.Error(codes.Internal, err.Error())
}
