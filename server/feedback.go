package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"go.uber.org/zap"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feedback"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// MaxLossRecords bounds the records of one ReportLossesRequest message.
const MaxLossRecords = 8192

// hardestShown is the number of hardest samples Stats and the metrics show per run.
const hardestShown = 10

// openFeedback opens the loss feedback store: <StateDir or CacheDir>/feedback.db,
// or a temporary one when neither is set.
func openFeedback(cfg Config, log *zap.Logger) (*feedback.Store, error) {
	opts := feedback.Options{MaxRuns: cfg.FeedbackMaxRuns, MaxAge: cfg.FeedbackMaxAge}
	dir := cfg.StateDir
	if dir == "" {
		dir = cfg.CacheDir
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("%w: state directory: %v", ErrConfig, err)
		}
		opts.Path = filepath.Join(dir, feedback.FileName)
	}
	st, err := feedback.Open(opts)
	if err != nil {
		return nil, err
	}
	if !st.Persistent() {
		log.Warn("loss feedback kept in a temporary store: set --state-dir or --cache-dir to keep it across restarts")
	}
	return st, nil
}

// ReportLosses records the losses of each message in one committed
// transaction and answers how many records were kept and refused.
func (h *service) ReportLosses(stream pb.DataService_ReportLossesServer) error {
	s := h.s
	defer s.track()()
	var accepted, rejected uint64
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&pb.ReportLossesResponse{Accepted: accepted, Rejected: rejected})
		}
		if err != nil {
			return err
		}
		v := s.cat.Current()
		if v == nil {
			return toStatus(catalog.ErrNotReady)
		}
		if n := len(req.GetRecords()); n > MaxLossRecords {
			return toStatus(fmt.Errorf("%w: %d loss records in one message, at most %d: send them in several", errInvalid, n, MaxLossRecords))
		}
		recs := make([]feedback.Record, len(req.GetRecords()))
		for i, r := range req.GetRecords() {
			recs[i] = feedback.Record{ContentID: r.GetContentId(), Epoch: r.GetEpoch(), Loss: r.GetLoss(),
				Probability: r.GetProbability(), HasProbability: r.Probability != nil}
		}
		a, r, err := s.losses.Report(req.GetRun(), recs, s.known(v).Has)
		if err != nil {
			return toStatus(err)
		}
		accepted += uint64(a)
		rejected += uint64(r)
		s.fbm.records.WithLabelValues("accepted").Add(float64(a))
		s.fbm.records.WithLabelValues("rejected").Add(float64(r))
		if s.isDraining() {
			return toStatus(fmt.Errorf("%w (the %d records received so far are recorded)", errDraining, accepted+rejected))
		}
	}
}

// knownIndex caches the content-id index of the current snapshot.
type knownIndex struct {
	mu    sync.Mutex
	view  *catalog.View
	known *feedback.Known
}

// known returns the content-id index of v, built once per snapshot.
func (s *Server) known(v *catalog.View) *feedback.Known {
	k := &s.knownIdx
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.view != v {
		k.view, k.known = v, feedback.NewKnown(v.Served)
	}
	return k.known
}

// runStats returns the feedback runs with their hardest samples, named by
// the snapshot v (a sample no longer served shows its content id only).
func (s *Server) runStats(v *catalog.View) []*pb.RunStats {
	runs := s.losses.Runs()
	if len(runs) == 0 {
		return nil
	}
	known := s.known(v)
	var out []*pb.RunStats
	for _, r := range runs {
		rs := &pb.RunStats{Run: r.Name, Samples: r.Samples, Records: r.Records, LastEpoch: r.LastEpoch}
		top, err := s.losses.Hardest(r.Name, hardestShown)
		if err != nil {
			s.log.Warn("hardest samples unavailable", zap.String("run", r.Name), zap.Error(err))
		}
		for _, h := range top {
			hs := &pb.HardSample{ContentId: h.ContentID, Loss: h.Loss, Reports: h.Reports}
			if smp, ok := known.Sample(h.ContentID); ok {
				hs.Path, hs.Kind, hs.Category = smp.Path, kindOf(smp.Kind), smp.Category
			}
			rs.Hardest = append(rs.Hardest, hs)
		}
		out = append(out, rs)
	}
	return out
}
