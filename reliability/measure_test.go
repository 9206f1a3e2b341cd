package reliability

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time (user + system) used so far by the calling
// OS thread, to the nanosecond (CLOCK_THREAD_CPUTIME_ID; getrusage's
// per-thread figure moves in scheduler ticks); the caller locks its
// goroutine to the thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// processCPU returns the CPU time used so far by this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return rusageTime(ru)
}

func rusageTime(ru syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuOf runs fn on a locked OS thread and returns the CPU time it used.
// fn must not hand its work to other goroutines.
func cpuOf(fn func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	fn()
	return threadCPU() - start
}

// heapPeak samples the live heap every millisecond until stop is called,
// which returns the highest value seen (and the value at the start).
type heapPeak struct {
	stop chan struct{}
	done chan struct{}
	base uint64
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watchHeap starts sampling after a GC, so base is the live heap.
func watchHeap() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{}), base: heapNow()}
	h.peak = h.base
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				if v := heapNow(); v > h.peak {
					h.peak = v
				}
			}
		}
	}()
	return h
}

// Stop ends the sampling and returns the peak heap and the base it started from.
func (h *heapPeak) Stop() (peak, base uint64) {
	close(h.stop)
	<-h.done
	if v := heapNow(); v > h.peak {
		h.peak = v
	}
	return h.peak, h.base
}

// procStatus reads a field in kB of /proc/PID/status (VmRSS, VmHWM) in bytes.
func procStatus(pid int, field string) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// durations summarises a set of measured durations.
type durations struct {
	mu sync.Mutex
	d  []time.Duration
	// worst names the item of the largest duration.
	worst string
	max   time.Duration
}

func (s *durations) add(name string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	if d > s.max {
		s.max, s.worst = d, name
	}
}

// quantile returns the q-quantile (0..1) of the durations.
func (s *durations) quantile(q float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	c := append([]time.Duration(nil), s.d...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	i := int(q * float64(len(c)-1))
	return c[i]
}

func (s *durations) mean() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range s.d {
		sum += d
	}
	return sum / time.Duration(len(s.d))
}

func (s *durations) String() string {
	return fmt.Sprintf("n=%d mean=%s p50=%s p99=%s max=%s (%s)", len(s.d), s.mean().Round(time.Microsecond),
		s.quantile(0.5).Round(time.Microsecond), s.quantile(0.99).Round(time.Microsecond), s.max.Round(time.Microsecond), s.worst)
}

// mib formats bytes in MiB.
func mib(b uint64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
