package server

import (
	"context"
	"math"
	"time"

	"go.uber.org/zap"

	"github.com/starlight/dataserver/index"
)

// progressEvery is how often a running index build is logged.
var progressEvery = 5 * time.Second

// openIndexStore opens the persistent index under cfg.CacheDir (nil
// without one). A store that cannot be opened leaves indexing cold at each
// start, which is logged, never fatal.
func openIndexStore(cfg Config, log *zap.Logger) *index.Store {
	if cfg.CacheDir == "" {
		return nil
	}
	opts := index.Options{MaxFileSize: cfg.Extract.MaxFileSize, Limits: cfg.Extract.Limits}
	st, err := index.OpenStore(cfg.CacheDir, cfg.Root, opts, func(e index.StoreEvent) {
		switch e.Kind {
		case index.StoreMovedAside:
			log.Warn("index store untrusted: moved aside, rebuilding", zap.String("path", e.Path), zap.String("moved_to", e.MovedTo), zap.Error(e.Err))
		default:
			log.Warn("index store write failed", zap.String("path", e.Path), zap.Error(e.Err))
		}
	})
	if err != nil {
		log.Warn("index store unavailable: every start indexes cold", zap.String("cache_dir", cfg.CacheDir), zap.Error(err))
		return nil
	}
	return st
}

// logIndexProgress logs the running index build (first load or reindex)
// every progressEvery until ctx ends.
func (s *Server) logIndexProgress(ctx context.Context) {
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p := s.cat.Progress()
		if !p.Running {
			continue
		}
		s.log.Info("indexing", zap.Int("done", p.Done), zap.Int("total", p.Total),
			zap.Float64("files_per_second", math.Round(p.Rate*10)/10), zap.Duration("eta", p.ETA.Round(time.Millisecond)))
	}
}
