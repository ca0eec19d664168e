package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

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
		m, stats, err := s.snapshotTable(ctx, env, src, t, kr)
		if err != nil {
			return res, fmt.Errorf("table %s: %w", t.Name, err)
		}
		res.Add("rows_read", stats.RowsRead)
		res.Add("rows_written", stats.RowsWritten)
		res.Add("rows_rejected", stats.RowsRejected)
		res.Add("tables", 1)
		res.SetDetail("snapshot."+t.Name, m.Ref())
		res.SetDetail("seq."+t.Name, fmt.Sprint(m.Seq))
		env.Logger.Info("snapshot written", "table", t.Name, "snapshot", m.Ref(), "rows_read", stats.RowsRead,
			"rows_written", stats.RowsWritten, "rows_rejected", stats.RowsRejected, "encoding", stats.Encoding)
	}
	// Retention runs once per run, on whole snapshot sets (see vigil forget).
	if err := applyRetention(ctx, env, kr, &res); err != nil {
		return res, fmt.Errorf("retention: %w", err)
	}
	return res, nil
}

// openSource opens one table of a source as a stream of record batches.
func openSource(ctx context.Context, src *pipeline.Source, t *pipeline.Table, onReject func(extract.Reject) error) (extract.TableReader, error) {
	types := map[string]extract.Type{}
	for col, ct := range t.Columns {
		typ, err := extract.ParseType(ct.String())
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", col, err)
		}
		types[col] = typ
	}
	switch src.Type {
	case pipeline.SourceCSV:
		delim := ','
		if src.Delimiter != "" {
			delim = []rune(src.Delimiter)[0]
		}
		return extract.OpenCSV(ctx, t.File, extract.CSVOptions{Table: t.Name, Encoding: src.Encoding, Delimiter: delim, Types: types, OnReject: onReject})
	case pipeline.SourcePostgres:
		dsn := os.Getenv(src.DSNEnv)
		if dsn == "" {
			return nil, fmt.Errorf("source %s: environment variable %s (dsn_env) is not set", src.Name, src.DSNEnv)
		}
		return extract.OpenPostgres(ctx, extract.PostgresOptions{DSN: dsn, Table: t.Name, Query: t.Query, Source: t.Table, Types: types, OnReject: onReject})
	}
	return nil, fmt.Errorf("source %s: type %s cannot be extracted by this build", src.Name, src.Type)
}

func (s snapshotStage) snapshotTable(ctx context.Context, env *pipeline.Env, src *pipeline.Source, t *pipeline.Table, kr *keys.Keyring) (*snapshot.Manifest, extract.Stats, error) {
	var w *snapshot.Writer
	rr, err := openSource(ctx, src, t, func(r extract.Reject) error {
		return w.Reject(snapshot.Reject{File: r.File, Line: r.Line, Column: r.Column, Reason: r.Reason, Raw: r.Raw})
	})
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer rr.Close()
	defer rr.Release()
	w, err = snapshot.Create(ctx, snapshot.Options{
		Store:          env.Paths.Store,
		Table:          t.Name,
		Source:         src.Type + ":" + src.Name,
		Keys:           kr,
		Auth:           kr,
		MaxRowsPerFile: env.Config.Snapshot.MaxRowsPerFile,
		Now:            env.Now,
		Logger:         env.Logger,
		Extra:          map[string]string{"run_id": env.RunID},
		RunID:          env.RunID,
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
