// Package guard is the one way this module recovers from a panic: only at a
// boundary that must outlive one bad input (a file being indexed, a sample
// being extracted for a stream, a gRPC call, a command), never inside a
// decoder or parser, so that their fuzz targets see every panic. A
// recovered panic becomes an error wrapping ErrPanic that keeps the stack,
// is counted (Count, exported as a metric by the server) and is handed to
// the reporter (the server logs it with its stack).
package guard

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// ErrPanic marks an error that stands for a recovered panic: a bug in this
// program, not a property of the input.
var ErrPanic = errors.New("internal error (a bug: a panic was recovered)")

// Panic is one recovered panic.
type Panic struct {
	// Where names the boundary that recovered it ("index", "feed", ...).
	Where string
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the recovery.
	Stack []byte
}

// Error says where the panic was recovered and its value.
func (p *Panic) Error() string {
	return fmt.Sprintf("%v in %s: %v", ErrPanic, p.Where, p.Value)
}

// Unwrap makes errors.Is(err, ErrPanic) true.
func (p *Panic) Unwrap() error { return ErrPanic }

var (
	count    atomic.Uint64
	reporter atomic.Pointer[func(*Panic)]
)

// Count returns the number of panics recovered since the process started.
func Count() uint64 { return count.Load() }

// SetReporter sets the function every recovered panic is handed to (nil:
// none); the server logs them. It returns the previous one.
func SetReporter(fn func(*Panic)) func(*Panic) {
	var old *func(*Panic)
	if fn == nil {
		old = reporter.Swap(nil)
	} else {
		old = reporter.Swap(&fn)
	}
	if old == nil {
		return nil
	}
	return *old
}

// Recover, deferred directly at a boundary, turns a panic into *err (a
// *Panic), counts and reports it. It does nothing when there is no panic.
//
//	defer guard.Recover("feed", &err)
func Recover(where string, err *error) {
	if v := recover(); v != nil {
		*err = recovered(where, v)
	}
}

// Recovered is Recover for a boundary that handles the panic itself: call
// it with the value of recover() (nil: no panic, nil returned).
func Recovered(where string, v any) *Panic {
	if v == nil {
		return nil
	}
	return recovered(where, v)
}

func recovered(where string, v any) *Panic {
	p := &Panic{Where: where, Value: v, Stack: debug.Stack()}
	count.Add(1)
	if fn := reporter.Load(); fn != nil {
		(*fn)(p)
	}
	return p
}
