package feedback

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/starlight/dataserver/sampling"
)

// BenchmarkReport records messages of 1000 losses, each a new sample (the
// store's worst case: a report of a sample already summarized rewrites its
// value in place), one committed transaction per message as ReportLosses
// does. It reports the CPU time per record and the store file's bytes per
// million records.
func BenchmarkReport(b *testing.B) {
	const perMessage = 1000
	ids := make([]string, 0, 1<<20)
	s := open(b, Options{Path: filepath.Join(b.TempDir(), FileName)})
	recs := make([]Record, perMessage)
	n := 0
	var cpu time.Duration
	for b.Loop() {
		if n+perMessage > len(ids) {
			b.StopTimer()
			for len(ids) < n+perMessage {
				ids = append(ids, id(len(ids)))
			}
			b.StartTimer()
		}
		for i := range recs {
			recs[i] = Record{ContentID: ids[n+i], Epoch: 1, Loss: float32(i%97) / 10}
		}
		start := cpuTime()
		if _, _, err := s.Report("bench", recs, nil); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
		n += perMessage
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/record")
	b.ReportMetric(float64(s.Size())/float64(n)*1e6/(1<<20), "MiB/1M-records")
}

// BenchmarkFreeze freezes a run of 100,000 summarized samples.
func BenchmarkFreeze(b *testing.B) {
	s := open(b, Options{Path: filepath.Join(b.TempDir(), FileName)})
	recs := make([]Record, 1000)
	for m := range 100 {
		for i := range recs {
			recs[i] = Record{ContentID: id(m*1000 + i), Loss: float32(i%97) / 10}
		}
		if _, _, err := s.Report("bench", recs, nil); err != nil {
			b.Fatal(err)
		}
	}
	e := uint64(0)
	for b.Loop() {
		s.tables = map[string]*sampling.LossTable{}
		if _, err := s.Freeze("bench", e); err != nil {
			b.Fatal(err)
		}
		e++
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReportUpdates is a run's steady state: 100,000 samples already
// summarized, each message 1024 or 8192 records of them in shuffled order
// (as an epoch reports them), one committed transaction per message.
func BenchmarkReportUpdates(b *testing.B) {
	const samples = 100_000
	ids := make([]string, samples)
	for i := range ids {
		ids[i] = id(i)
	}
	s := open(b, Options{Path: filepath.Join(b.TempDir(), FileName)})
	recs := make([]Record, 10_000)
	for m := 0; m < samples; m += len(recs) {
		for i := range recs {
			recs[i] = Record{ContentID: ids[m+i], Loss: 1}
		}
		if _, _, err := s.Report("bench", recs, nil); err != nil {
			b.Fatal(err)
		}
	}
	for _, per := range []int{1024, 8192} {
		b.Run(fmt.Sprint(per), func(b *testing.B) {
			recs := make([]Record, per)
			n := 0
			var cpu time.Duration
			for b.Loop() {
				for i := range recs {
					recs[i] = Record{ContentID: ids[(n+i)*7919%samples], Epoch: 2, Loss: float32(i%97) / 10}
				}
				start := cpuTime()
				if _, _, err := s.Report("bench", recs, nil); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - start
				n += per
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/record")
			b.ReportMetric(float64(s.Size())/(1<<20), "store-MiB")
		})
	}
}
