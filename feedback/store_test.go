package feedback

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/starlight/dataserver/sampling"
)

// id returns the content id of sample i.
func id(i int) string {
	s := sha256.Sum256([]byte(fmt.Sprint("sample ", i)))
	return hex.EncodeToString(s[:])
}

func open(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func report(t testing.TB, s *Store, run string, recs ...Record) {
	t.Helper()
	if acc, rej, err := s.Report(run, recs, nil); err != nil || rej != 0 || acc != len(recs) {
		t.Fatalf("Report(%s): %d accepted, %d rejected, %v", run, acc, rej, err)
	}
}

func TestReportSummaries(t *testing.T) {
	s := open(t, Options{Path: filepath.Join(t.TempDir(), FileName), Alpha: 0.5})
	report(t, s, "r", Record{ContentID: id(1), Epoch: 0, Loss: 2}, Record{ContentID: id(2), Epoch: 0, Loss: 1, Probability: 0.25, HasProbability: true})
	report(t, s, "r", Record{ContentID: id(1), Epoch: 1, Loss: 4}, Record{ContentID: id(2), Epoch: 1, Loss: 0.5, Probability: 0.75, HasProbability: true})
	top, err := s.Hardest("r", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top[0].ContentID != id(1) || top[0].Loss != 3 || top[0].Reports != 2 || top[0].LastEpoch != 1 {
		t.Fatalf("hardest %+v, want id(1) first with average 3 over 2 reports", top)
	}
	if top[1].Loss != 0.75 || top[1].Probability != 0.5 || top[1].ProbabilityReports != 2 {
		t.Fatalf("second %+v, want loss 0.75, probability 0.5", top[1])
	}
	runs := s.Runs()
	if len(runs) != 1 || runs[0].Name != "r" || runs[0].Samples != 2 || runs[0].Records != 4 || runs[0].LastEpoch != 1 {
		t.Fatalf("runs %+v", runs)
	}
	// Bad records are counted and left out; unknown ids too.
	known := func(c string) bool { return c != id(9) }
	acc, rej, err := s.Report("r", []Record{
		{ContentID: "not-an-id", Loss: 1}, {ContentID: id(3), Loss: float32(math.NaN())},
		{ContentID: id(3), Loss: float32(math.Inf(1))}, {ContentID: id(3), Loss: -1},
		{ContentID: id(3), Loss: 1, Probability: 1.5, HasProbability: true}, {ContentID: id(9), Loss: 1},
		{ContentID: id(3), Loss: 1},
	}, known)
	if err != nil || acc != 1 || rej != 6 {
		t.Fatalf("mixed records: %d accepted, %d rejected, %v; want 1, 6", acc, rej, err)
	}
	for _, bad := range []string{"", string(make([]byte, 65)), "a\nb", "\xff"} {
		if _, _, err := s.Report(bad, []Record{{ContentID: id(1), Loss: 1}}, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("run %q: %v, want ErrInvalid", bad, err)
		}
	}
}

// TestFreezeOncePerEpoch: the table of (run, epoch) is what the summary was
// at the first Freeze; later reports do not change it, the next epoch sees
// them, and a reopened store returns the same tables.
func TestFreezeOncePerEpoch(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := open(t, Options{Path: path})
	empty, err := s.Freeze("r", 0)
	if err != nil || empty.ID() != "" {
		t.Fatalf("freeze of a run never reported: %v, %v", empty.ID(), err)
	}
	report(t, s, "r", Record{ContentID: id(1), Loss: 2}, Record{ContentID: id(2), Loss: 1})
	if again, _ := s.Freeze("r", 0); again.ID() != "" {
		t.Fatal("epoch 0 was frozen empty, then changed")
	}
	t1, err := s.Freeze("r", 1)
	if err != nil || t1.Len() != 2 {
		t.Fatalf("epoch 1: %d entries, %v", t1.Len(), err)
	}
	report(t, s, "r", Record{ContentID: id(3), Loss: 5})
	if again, _ := s.Freeze("r", 1); again.ID() != t1.ID() {
		t.Fatal("a report after the freeze changed epoch 1's table")
	}
	t2, _ := s.Freeze("r", 2)
	if t2.ID() == t1.ID() || t2.Len() != 3 {
		t.Fatalf("epoch 2 table %s with %d entries, want a new table of 3", t2.ID(), t2.Len())
	}
	if l, ok := t2.Loss(id(3)); !ok || l != 5 {
		t.Fatalf("epoch 2 loss of id(3): %v %v", l, ok)
	}
	s.Close()

	s = open(t, Options{Path: path})
	for e, want := range map[uint64]string{0: "", 1: t1.ID(), 2: t2.ID()} {
		got, err := s.Freeze("r", e)
		if err != nil || got.ID() != want {
			t.Fatalf("after reopening, epoch %d: %q, %v; want %q", e, got.ID(), err, want)
		}
	}
	s.tables = map[string]*sampling.LossTable{} // read from the file, not the cache
	got, err := s.Table("r", t1.ID())
	if err != nil || got.ID() != t1.ID() {
		t.Fatalf("Table(%s): %v", t1.ID(), err)
	}
	if _, err := s.Table("r", id(7)); !errors.Is(err, ErrUnknownState) {
		t.Fatalf("unknown table: %v, want ErrUnknownState", err)
	}
	if _, err := s.Table("other", t1.ID()[:10]); !errors.Is(err, ErrUnknownState) {
		t.Fatalf("unknown run: %v, want ErrUnknownState", err)
	}
}

func TestBounds(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), FileName)
	s := open(t, Options{Path: path, MaxRuns: 3, MaxAge: 48 * time.Hour, MaxFrozen: 2, Now: clock})
	for i, run := range []string{"a", "b", "c", "d"} {
		now = now.Add(time.Hour)
		report(t, s, run, Record{ContentID: id(i), Loss: 1})
	}
	if names := runNames(s); names != "b c d" {
		t.Fatalf("runs %q after a fourth run with MaxRuns 3, want b c d (a evicted)", names)
	}
	// Frozen epochs beyond MaxFrozen go, with their tables.
	var first string
	for e := uint64(0); e < 4; e++ {
		report(t, s, "d", Record{ContentID: id(10 + int(e)), Loss: float32(e)})
		tab, err := s.Freeze("d", e)
		if err != nil {
			t.Fatal(err)
		}
		if e == 0 {
			first = tab.ID()
		}
	}
	s.tables = map[string]*sampling.LossTable{}
	if _, err := s.Table("d", first); !errors.Is(err, ErrUnknownState) {
		t.Fatalf("table of epoch 0 with MaxFrozen 2: %v, want ErrUnknownState", err)
	}
	if _, err := s.Freeze("d", 0); !errors.Is(err, ErrUnknownState) {
		t.Fatalf("epoch 0 asked again with its table gone: %v, want ErrUnknownState (not a new freeze)", err)
	}
	if tab, err := s.Freeze("d", 3); err != nil || tab.Len() != 5 {
		t.Fatalf("newest epoch: %v entries, %v", tab.Len(), err)
	}
	// Age: b and c were last written over 48h ago: they go on reopen.
	now = now.Add(48 * time.Hour)
	report(t, s, "d", Record{ContentID: id(1), Loss: 1})
	s.Close()
	s = open(t, Options{Path: path, MaxRuns: 3, MaxAge: 48 * time.Hour, Now: clock})
	if names := runNames(s); names != "d" {
		t.Fatalf("runs %q after 48h, want d only", names)
	}
}

func runNames(s *Store) string {
	out := ""
	for _, r := range s.Runs() {
		if out != "" {
			out += " "
		}
		out += r.Name
	}
	return out
}

func TestTemporaryStore(t *testing.T) {
	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Persistent() {
		t.Fatal("a store without a path says it persists")
	}
	report(t, s, "r", Record{ContentID: id(1), Loss: 1})
	path := s.Path()
	s.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("temporary store %s left behind: %v", path, err)
	}
	if _, _, err := s.Report("r", []Record{{ContentID: id(1), Loss: 1}}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("report after close: %v", err)
	}
}

// TestConcurrentReportsAndFreezes runs reports, freezes, Hardest and Runs at
// once (for the race detector) and checks every record was counted once.
func TestConcurrentReportsAndFreezes(t *testing.T) {
	s := open(t, Options{Path: filepath.Join(t.TempDir(), FileName), HardestEvery: -1})
	done := make(chan error, 8)
	for g := range 4 {
		go func() {
			for m := range 20 {
				recs := make([]Record, 25)
				for i := range recs {
					recs[i] = Record{ContentID: id(g*1000 + m*25 + i), Epoch: uint64(m), Loss: float32(i)}
				}
				if _, _, err := s.Report("conc", recs, nil); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := range 4 {
		go func() {
			for e := range 20 {
				if _, err := s.Freeze("conc", uint64(g*100+e)); err != nil {
					done <- err
					return
				}
				if _, err := s.Hardest("conc", 5); err != nil {
					done <- err
					return
				}
				s.Runs()
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if r := s.Runs(); len(r) != 1 || r[0].Records != 4*20*25 || r[0].Samples != 4*20*25 {
		t.Fatalf("runs %+v, want 2000 records over 2000 samples", r)
	}
}
