package sampling_test

import (
	"fmt"
	"strings"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// A server builds the pools once per snapshot, a schedule per stream, and
// sends each batch with the cursor that resumes after it.
func Example() {
	var served []index.Sample
	for i, k := range []index.Kind{index.KindClean, index.KindClean, index.KindStego, index.KindNegative} {
		served = append(served, index.Sample{ID: fmt.Sprintf("%064x", i), Path: fmt.Sprintf("s_submission_2025/x%d.png", i), Kind: k, Accepted: true})
	}
	pools := sampling.NewPools(served)
	sched, err := sampling.New(pools, sampling.Params{Seed: 1, Mix: sampling.Mix{1, 1, 1}, BatchSize: 3, World: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("batches per epoch:", sched.BatchesPerEpoch())
	for b := range sched.BatchesPerEpoch() {
		var kinds []string
		for _, d := range sched.Batch(b) {
			kinds = append(kinds, d.Kind.String())
		}
		fmt.Println(strings.Join(kinds, " "))
	}
	// A trainer that stopped after batch 0 resumes from its cursor.
	c, err := sampling.ParseCursor(sched.Cursor("snapshot-1", 1).Encode())
	fmt.Println("resume at batch", c.NextBatch, err)
	// Output:
	// batches per epoch: 2
	// clean stego negative
	// clean stego negative
	// resume at batch 1 <nil>
}
