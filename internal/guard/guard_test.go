package guard

import (
	"errors"
	"strings"
	"testing"
)

func boom() (err error) {
	defer Recover("test", &err)
	var m map[string]int
	m["x"] = 1 // a nil map write: a runtime panic
	return nil
}

func calm() (err error) {
	defer Recover("test", &err)
	return errors.New("plain")
}

// TestRecover: a panic becomes an ErrPanic error with its stack, counted
// and reported once; no panic changes nothing.
func TestRecover(t *testing.T) {
	var seen []*Panic
	prev := SetReporter(func(p *Panic) { seen = append(seen, p) })
	defer SetReporter(prev)
	before := Count()
	err := boom()
	var p *Panic
	if !errors.Is(err, ErrPanic) || !errors.As(err, &p) || p.Where != "test" || !strings.Contains(string(p.Stack), "guard.boom") {
		t.Fatalf("err %v, panic %+v", err, p)
	}
	if !strings.Contains(err.Error(), "nil map") {
		t.Errorf("message %q", err)
	}
	if Count() != before+1 || len(seen) != 1 || seen[0] != p {
		t.Errorf("count %d -> %d, %d reported", before, Count(), len(seen))
	}
	if err := calm(); err == nil || errors.Is(err, ErrPanic) || Count() != before+1 {
		t.Errorf("no panic: %v, count %d", err, Count())
	}
	if Recovered("x", nil) != nil {
		t.Error("Recovered(nil) made a panic")
	}
}
