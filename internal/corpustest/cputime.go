package corpustest

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user and system) the process has used so
// far. Benchmarks report images per CPU-second from it as well as per
// wall second: on a machine shared with other work, wall time measures
// the neighbours too, while CPU time measures the code.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
