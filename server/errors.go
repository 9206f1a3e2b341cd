package server

import (
	"context"
	"errors"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/feedback"
	"github.com/starlight/dataserver/sampling"
)

// ErrorDomain is the domain of the google.rpc.ErrorInfo every error status
// of the data service carries.
const ErrorDomain = "dataserver.starlight"

// errorTable is the one table from domain errors to gRPC statuses; the first
// entry the error matches (errors.Is) decides. Every status carries a
// google.rpc.ErrorInfo with the entry's reason; those with a retry delay
// also carry a google.rpc.RetryInfo, and only those are worth a retry
// (clients also retry UNAVAILABLE without details: a transport failure).
var errorTable = []struct {
	err    error
	code   codes.Code
	reason string
	retry  time.Duration
}{
	{sampling.ErrInvalidParams, codes.InvalidArgument, "INVALID_ARGUMENT", 0},
	{sampling.ErrBadCursor, codes.InvalidArgument, "BAD_CURSOR", 0},
	{sampling.ErrCursorMismatch, codes.InvalidArgument, "CURSOR_MISMATCH", 0},
	{feed.ErrInvalid, codes.InvalidArgument, "INVALID_ARGUMENT", 0},
	{feed.ErrPastEnd, codes.OutOfRange, "PAST_END", 0},
	{feed.ErrBadReceipt, codes.InvalidArgument, "BAD_RECEIPT", 0},
	{feed.ErrReceiptStale, codes.FailedPrecondition, "RECEIPT_STALE", 0},
	{errInvalid, codes.InvalidArgument, "INVALID_ARGUMENT", 0},
	{feedback.ErrInvalid, codes.InvalidArgument, "INVALID_ARGUMENT", 0},
	{sampling.ErrEmptyPool, codes.FailedPrecondition, "EMPTY_POOL", 0},
	{feedback.ErrUnknownState, codes.FailedPrecondition, "UNKNOWN_MINING_STATE", 0},
	{feedback.ErrClosed, codes.Unavailable, "SHUTTING_DOWN", time.Second},
	{sampling.ErrSnapshotMismatch, codes.FailedPrecondition, "SNAPSHOT_MISMATCH", 0},
	{catalog.ErrSnapshotGone, codes.FailedPrecondition, "SNAPSHOT_GONE", 0},
	{catalog.ErrReindexRunning, codes.Aborted, "REINDEX_RUNNING", 2 * time.Second},
	{catalog.ErrNotReady, codes.Unavailable, "NOT_READY", time.Second},
	{catalog.ErrClosed, codes.Unavailable, "SHUTTING_DOWN", time.Second},
	{errDraining, codes.Unavailable, "SHUTTING_DOWN", time.Second},
	{errTooManyStreams, codes.ResourceExhausted, "TOO_MANY_STREAMS", 2 * time.Second},
	{errTooManyWatches, codes.ResourceExhausted, "TOO_MANY_WATCHES", 5 * time.Second},
	{feed.ErrBudget, codes.ResourceExhausted, "MEMORY_BUDGET", 2 * time.Second},
	{errSendTimeout, codes.DeadlineExceeded, "SEND_TIMEOUT", 100 * time.Millisecond},
	{feed.ErrSample, codes.FailedPrecondition, "FILE_CHANGED", 0},
	{context.DeadlineExceeded, codes.DeadlineExceeded, "DEADLINE_EXCEEDED", 0},
	{context.Canceled, codes.Canceled, "CANCELED", 0},
}

// Transport-level errors of this package, mapped above.
var (
	errInvalid        = errors.New("invalid request")
	errDraining       = errors.New("server shutting down; resume from the last cursor on another replica or after the restart")
	errTooManyStreams = errors.New("too many streams running")
	errTooManyWatches = errors.New("too many health watches running; use Check, or retry later")
	errSendTimeout    = errors.New("send timeout: the consumer did not take the batch in time; resume from the last cursor")
)

// toStatus maps a domain error to a gRPC status error with its details,
// keeping its message. Errors that already carry a status pass through;
// unknown ones are Internal (reason INTERNAL, not retryable).
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	for _, e := range errorTable {
		if errors.Is(err, e.err) {
			return withDetails(e.code, err.Error(), e.reason, e.retry)
		}
	}
	return withDetails(codes.Internal, err.Error(), "INTERNAL", 0)
}

// withDetails builds a status with an ErrorInfo of reason and, when retry
// is positive, a RetryInfo of that delay.
func withDetails(code codes.Code, msg, reason string, retry time.Duration) error {
	st := status.New(code, msg)
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Domain: ErrorDomain, Reason: reason}}
	if retry > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retry)})
	}
	out, err := st.WithDetails(details...)
	if err != nil {
		return st.Err() // never: the details are well-formed
	}
	return out.Err()
}
