package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/starlight/dataserver/extract"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

// extractorVersion names the extraction profile in responses.
const extractorVersion = extract.Version

// Problem paging.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// service implements pb.DataServiceServer over a Server's domain objects.
type service struct {
	pb.UnimplementedDataServiceServer
	s *Server
}

// Reindex rescans the tree and reports what changed.
func (h *service) Reindex(ctx context.Context, _ *pb.ReindexRequest) (*pb.ReindexResponse, error) {
	defer h.s.track()()
	res, err := h.s.cat.Reindex(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return reindexMessage(res), nil
}

// Stats reports counts, one page of problems and the serving figures.
func (h *service) Stats(_ context.Context, req *pb.StatsRequest) (*pb.StatsResponse, error) {
	defer h.s.track()()
	v := h.s.cat.Current()
	if v == nil {
		// Before the first snapshot, only how far its build is. While Serve
		// runs without a snapshot the first load is under way (it fails
		// Serve otherwise), also in the moments before the build marks
		// itself running and after it ends, before the swap.
		p := h.s.cat.Progress()
		p.Running = true
		return &pb.StatsResponse{ExtractorVersion: extractorVersion, Indexing: indexingOf(p)}, nil
	}
	size := int(req.GetPageSize())
	if size == 0 {
		size = defaultPageSize
	}
	size = min(size, maxPageSize)
	offset, err := parsePageToken(req.GetPageToken(), v.ID())
	if err != nil {
		return nil, toStatus(err)
	}
	page, total := v.Problems(offset, size)
	consumers, active := h.s.consumers.Snapshot()
	resp := &pb.StatsResponse{
		SnapshotId: v.ID(), SnapshotCreated: timestampOf(v), SnapshotAgeSeconds: h.s.cat.Age().Seconds(),
		Samples: uint64(len(v.Snapshot.Samples)), Accepted: uint64(v.Accepted),
		Counts: countsOf(v.Counts), Problems: problemsOf(page), TotalProblems: uint64(total),
		Serving:          servingOf(h.s.feed.Stats(), consumers, active),
		ExtractorVersion: extractorVersion, Reindexing: h.s.cat.Reindexing(), Indexing: indexingOf(h.s.cat.Progress()),
		UnpairedStegos: uint64(v.PoolsFor(sampling.SplitAll).UnpairedStegos()),
		Runs:           h.s.runStats(v),
		Splits:         splitStatsOf(v.Splits),
	}
	if next := offset + len(page); next < total {
		resp.NextPageToken = pageToken(next, v.ID())
	}
	return resp, nil
}

// pageToken encodes a problem offset within one snapshot.
func pageToken(offset int, snapshot string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "@" + snapshot))
}

func parsePageToken(tok, snapshot string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, fmt.Errorf("%w: malformed page token", errInvalid)
	}
	off, snap, ok := strings.Cut(string(raw), "@")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("%w: malformed page token", errInvalid)
	}
	if snap != snapshot {
		return 0, fmt.Errorf("%w: page token of snapshot %s, current is %s: start the listing again", errInvalid, snap, snapshot)
	}
	return n, nil
}
