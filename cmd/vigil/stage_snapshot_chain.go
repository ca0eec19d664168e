package main

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// tableWriter is a snapshot.Writer or, for a table with a key, a
// snapshot.ChainWriter (change-only snapshots).
type tableWriter interface {
	Write(rec arrow.RecordBatch) error
	Reject(r snapshot.Reject) error
	Commit(ctx context.Context, rowsRead int64) (*snapshot.Manifest, error)
	Abort() error
}

// createTableWriter starts tonight's snapshot of t: a chain link when the
// table has a key, else a stand-alone snapshot.
func createTableWriter(ctx context.Context, env *pipeline.Env, t *pipeline.Table, opts snapshot.Options, schema *arrow.Schema) (tableWriter, error) {
	if len(t.Key) == 0 {
		return snapshot.Create(ctx, opts, schema)
	}
	ch := env.Config.Snapshot.Chain
	cw, err := snapshot.CreateChained(ctx, opts, schema, snapshot.ChainOptions{Key: t.Key, FullEvery: ch.FullEvery(), MaxLinks: ch.Links()})
	if err != nil {
		return nil, err
	}
	if r := cw.Reason(); r != "" {
		env.Logger.Info("full snapshot starts a chain", "table", t.Name, "reason", r)
	}
	return cw, nil
}
