package client

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Replay returns the batch a receipt (Batch.GetReceipt) names: the message
// first sent, byte for byte, from any replica over the same tree, before or
// after a restart. A file changed since fails with FailedPrecondition naming
// it. It is retried, like a stream, on transient errors.
func (c *Client) Replay(ctx context.Context, receipt string) (*Batch, error) {
	return c.replay(ctx, &pb.ReplayBatchRequest{Receipt: receipt})
}

// Explain returns the batch a receipt names without its tensors: its
// samples' paths, submissions, kinds, techniques, categories and loss
// weights. The server still checks the batch's files and digest.
func (c *Client) Explain(ctx context.Context, receipt string) (*Batch, error) {
	return c.replay(ctx, &pb.ReplayBatchRequest{Receipt: receipt, ColumnsOnly: true})
}

func (c *Client) replay(ctx context.Context, req *pb.ReplayBatchRequest) (*Batch, error) {
	var resp *pb.ReplayBatchResponse
	var p peer.Peer
	err := c.retryUnary(ctx, func(ctx context.Context) error {
		var err error
		resp, err = c.api.ReplayBatch(ctx, req, grpc.Peer(&p))
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &Batch{StreamBatchesResponse: resp.GetBatch()}
	if p.Addr != nil {
		b.Peer = p.Addr.String()
	}
	return b, nil
}
