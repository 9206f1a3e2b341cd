package server

import (
	"go.uber.org/zap"

	"github.com/starlight/dataserver/feed"
)

// logDiskProblem logs the disk cache failures the feed reports (already
// rate-limited there; the metrics count them all).
func logDiskProblem(log *zap.Logger) func(feed.DiskProblem) {
	return func(p feed.DiskProblem) {
		log.Warn("disk cache problem", zap.String("kind", p.Kind), zap.String("id", p.ID),
			zap.Uint64("suppressed_since_last", p.Suppressed), zap.Error(p.Err))
	}
}
