package client

import (
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

// TestElasticIsTheServersForm: the client's elastic cursor is the text the
// server parses, with the consumed count of steps x old world.
func TestElasticIsTheServersForm(t *testing.T) {
	c := sampling.Cursor{SnapshotID: "s", Params: sampling.Params{BatchSize: 4, World: 8, Rank: 5}.Normalized(), NextBatch: 3}
	text := c.Encode()
	req := &pb.StreamBatchesRequest{BatchSize: 4, WorldSize: 3, Rank: 1}
	got := Elastic(req, text, 8, 3)
	if got.GetCursor() != sampling.ElasticCursor(text, 24) || req.GetCursor() != "" || got.GetWorldSize() != 3 {
		t.Fatalf("Elastic gave %q (request cursor %q)", got.GetCursor(), req.GetCursor())
	}
	back, err := sampling.ParseCursor(got.GetCursor())
	if err != nil || !back.Elastic || back.Consumed != 24 || back.NextBatch != 3 {
		t.Fatalf("server reads %+v, %v", back, err)
	}
}
