package main

import (
	"os"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/starlight/dataserver/feed"
)

// memoryOverhead is what the server holds besides its memory budget, at
// most: the runtime, the index and catalog, idle pooled buffers (up to
// 128 MiB), the extraction workers' decoders and gRPC's connection
// buffers. The Go memory limit is the budget plus this, so that the
// collector returns freed batches before the process grows past it.
const memoryOverhead = 256 << 20

// setMemoryLimit sets the Go soft memory limit from the memory budget (0:
// the default budget), unless GOMEMLIMIT is set.
func setMemoryLimit(budget int64, log *zap.Logger) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return
	}
	if budget <= 0 {
		budget = feed.DefaultMemoryBudget
	}
	limit := budget + memoryOverhead
	debug.SetMemoryLimit(limit)
	log.Info("memory limit set", zap.Int64("budget", budget), zap.Int64("limit", limit))
}
