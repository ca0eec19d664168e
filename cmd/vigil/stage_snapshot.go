package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/extract"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// snapshotStage extracts every configured table once and writes it as an
// encrypted snapshot: the only raw copy at rest.
type snapshotStage struct {
	g *globals
}

func (snapshotStage) Name() string      { return "snapshot" }
func (snapshotStage) WritesStore() bool { return true }

func (s snapshotStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	kr, err := openKeys(ctx, env.Config)
	if err != nil {
		return res, err
	}
	store := env.Paths.Store
	if removed, err := snapshot.Cleanup(store, 0); err != nil {
		env.Logger.Warn("cleaning up unfinished snapshots", "error", err.Error())
	} else if len(removed) > 0 {
		env.Logger.Info("removed unfinished snapshots left by an interrupted run", "count", len(removed))
	}
	for _, t := range env.Config.Tables() {
		src := env.Config.Sources[t.Source]
		if src.Type != pipeline.SourceCSV {
			return res, fmt.Errorf("table %s: source %s has type %s, which this build cannot extract yet", t.Name, src.Name, src.Type)
		}
		m, stats, err := s.snapshotCSV(ctx, env, src, t, kr)
		if err != nil {
			return res, fmt.Errorf("table %s: %w", t.Name, err)
		}
		res.Add("rows_read", stats.RowsRead)
		res.Add("rows_written", stats.RowsWritten)
		res.Add("rows_rejected", stats.RowsRejected)
		res.Add("tables", 1)
		res.SetDetail("snapshot."+t.Name, m.Ref())
		env.Logger.Info("snapshot written", "table", t.Name, "snapshot", m.Ref(), "rows_read", stats.RowsRead,
			"rows_written", stats.RowsWritten, "rows_rejected", stats.RowsRejected, "encoding", stats.Encoding)
		if keep := env.Config.Snapshot.KeepLast; keep > 0 {
			pruned, err := snapshot.Prune(store, t.Name, keep)
			if err != nil {
				return res, fmt.Errorf("table %s: retention: %w", t.Name, err)
			}
			if len(pruned) > 0 {
				env.Logger.Info("retention removed old snapshots", "table", t.Name, "count", len(pruned), "keep_last", keep)
			}
		}
	}
	return res, nil
}

func (s snapshotStage) snapshotCSV(ctx context.Context, env *pipeline.Env, src *pipeline.Source, t *pipeline.Table, kr *keys.Keyring) (*snapshot.Manifest, extract.Stats, error) {
	types := map[string]extract.Type{}
	for col, ct := range t.Columns {
		typ, err := extract.ParseType(ct.String())
		if err != nil {
			return nil, extract.Stats{}, fmt.Errorf("column %s: %w", col, err)
		}
		types[col] = typ
	}
	var w *snapshot.Writer
	delim := ','
	if src.Delimiter != "" {
		delim = []rune(src.Delimiter)[0]
	}
	rr, err := extract.OpenCSV(ctx, t.File, extract.CSVOptions{
		Table:     t.Name,
		Encoding:  src.Encoding,
		Delimiter: delim,
		Types:     types,
		OnReject: func(r extract.Reject) error {
			return w.Reject(snapshot.Reject{File: r.File, Line: r.Line, Column: r.Column, Reason: r.Reason, Raw: r.Raw})
		},
	})
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer rr.Close()
	defer rr.Release()
	w, err = snapshot.Create(ctx, snapshot.Options{
		Store:          env.Paths.Store,
		Table:          t.Name,
		Source:         "csv:" + src.Name,
		Keys:           kr,
		Auth:           kr,
		MaxRowsPerFile: env.Config.Snapshot.MaxRowsPerFile,
		Now:            env.Now,
		Logger:         env.Logger,
		Extra:          map[string]string{"run_id": env.RunID},
	}, rr.Schema())
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer w.Abort()
	bar := s.g.bar
	bar.Start("snapshot "+t.Name, 0, "rows")
	defer bar.Finish()
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := w.Write(rec); err != nil {
			return nil, extract.Stats{}, err
		}
		bar.Add(rec.NumRows())
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, extract.Stats{}, err
	}
	stats := rr.Stats()
	m, err := w.Commit(ctx, stats.RowsRead)
	if err != nil {
		return nil, stats, err
	}
	return m, stats, nil
}
