//go:build !race

package anonymize

import (
	"context"
	"testing"
)

// TestAdultExhaustive evaluates every node of the lattice for each benchmark
// configuration and checks that the optimal search found the same
// transformation with the same information loss. It runs without the race
// detector only (about 12 s); the pinned values are checked by
// TestAdultOptimal in every run.
func TestAdultExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive lattice evaluation skipped in -short mode")
	}
	for _, c := range adultCases {
		t.Run(c.name, func(t *testing.T) {
			opts := adultOptions(t, c.qis)
			c.set(&opts.Privacy)
			opts.Privacy.Algorithm = AlgorithmExhaustive
			res, err := AnonymizeCSV(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Search.Checked != res.Search.Nodes {
				t.Fatalf("exhaustive search checked %d of %d nodes", res.Search.Checked, res.Search.Nodes)
			}
			checkAdult(t, c, res)
		})
	}
}
