package main

import (
	"context"

	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"io"
	"maps"
	"os"
	"strings"

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
	tables := env.Config.Tables()
	var failed []string
	var failures []error
	for _, t := range tables {
		if ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		src := env.Config.Sources[t.Source]
		m, stats, err := s.snapshotTable(ctx, env, src, t, kr)
		if stats.RowsRead > 0 || stats.RowsRejected > 0 {
			// the last extraction's rejects, committed or not
			res.Add(pipeline.CountGaugePrefix+"extract_rows_read."+t.Name, stats.RowsRead)
			res.Add(pipeline.CountGaugePrefix+"extract_rows_rejected."+t.Name, stats.RowsRejected)
		}
		if stats.RowsRejected > 0 {
			res.SetDetail("rejected."+t.Name, fmt.Sprintf("%d of %d rows (%.2f%%)", stats.RowsRejected, stats.RowsRead, float64(stats.RowsRejected)*100/float64(max(stats.RowsRead, 1))))
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, fmt.Errorf("table %s: %w", t.Name, err)
			}
			// One table's failure does not stop the others: each is
			// extracted and committed on its own.
			failed = append(failed, t.Name)
			failures = append(failures, fmt.Errorf("table %s: %w", t.Name, err))
			res.Add("tables_failed", 1)
			res.SetDetail("table_status."+t.Name, "failed")
			env.Logger.Error("table failed; nothing of it was committed", "table", t.Name, "error", err.Error())
			continue
		}
		res.SetDetail("table_status."+t.Name, "ok")
		for _, w := range stats.Warnings {
			env.Logger.Warn("extraction note", "table", t.Name, "note", w)
		}
		if stats.RowsRejected > 0 {
			env.Logger.Warn("rows rejected", "table", t.Name, "rows_rejected", stats.RowsRejected, "rows_read", stats.RowsRead,
				"inspect", "vigil rejects "+m.Ref())
		}
		res.Add("rows_read", stats.RowsRead)
		res.Add("rows_written", stats.RowsWritten)
		res.Add("rows_rejected", stats.RowsRejected)
		res.Add("tables", 1)
		size := manifestBytes(m)
		g := pipeline.CountGaugePrefix
		res.Add(g+"snapshot_created_timestamp_seconds."+t.Name, m.Created.Unix())
		res.Add(g+"snapshot_bytes."+t.Name, size)
		res.Add(g+"snapshot_rows."+t.Name, m.Rows)
		res.Add(g+"snapshot_rejected_rows."+t.Name, stats.RowsRejected)
		res.SetDetail("snapshot."+t.Name, m.Ref())
		res.SetDetail("seq."+t.Name, fmt.Sprint(m.Seq))
		env.Logger.Info("snapshot written", "table", t.Name, "snapshot", m.Ref(), "rows_read", stats.RowsRead,
			"rows_written", stats.RowsWritten, "rows_rejected", stats.RowsRejected, "encoding", stats.Encoding,
			"encoding_confidence", stats.EncodingConfidence, "delimiter", stats.Delimiter)
	}
	// Retention runs once per run, on whole snapshot sets (see vigil forget).
	if err := applyRetention(ctx, env, kr, &res); err != nil {
		return res, fmt.Errorf("retention: %w", err)
	}
	if len(failed) > 0 && len(failed) == len(tables) {
		// Nothing was committed: a failed stage (exit 1), not a partial one.
		return res, fmt.Errorf("snapshot failed: every table failed (%s):\n%w", strings.Join(failed, ", "), errors.Join(failures...))
	}
	if len(failed) > 0 {
		return res, fmt.Errorf("%w: %d of %d tables failed (%s), the others were committed:\n%w",
			errTablesFailed, len(failed), len(tables), strings.Join(failed, ", "), errors.Join(failures...))
	}
	return res, nil
}

// errTablesFailed: the snapshot stage committed some tables but not all.
var errTablesFailed = errors.New("snapshot incomplete")

// tooManyRejects builds the error of a table over its max_rejected: how
// many, the first reasons with file, line and column, and how to look.
func tooManyRejects(table string, stats extract.Stats, limit pipeline.RejectLimit, c *rejectCollector, id string) error {
	var b strings.Builder
	share := 0.0
	if stats.RowsRead > 0 {
		share = 100 * float64(stats.RowsRejected) / float64(stats.RowsRead)
	}
	fmt.Fprintf(&b, "%d of %d rows rejected (%.2f%%), above max_rejected %s; nothing of the table was committed. First reasons:",
		stats.RowsRejected, stats.RowsRead, share, limit)
	for i, e := range c.entries {
		if i == 5 {
			break
		}
		fmt.Fprintf(&b, "\n  %s:%d", e.File, e.Line)
		if e.Column != "" {
			fmt.Fprintf(&b, ": column %q", e.Column)
		}
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	fmt.Fprintf(&b, "\nSee them all with `vigil rejects %s/%s` (add --raw --to FILE for the rows); fix the export or its encoding/delimiter options, or raise max_rejected for table %s.", table, id, table)
	return errors.New(b.String())
}

// writeBatches is the snapshot stage's one writer loop: every batch of rr
// goes to write (a whole table's rows, or tonight's changed rows of a
// watermark night), with progress against the reader's row estimate when
// it has one (PostgreSQL: the planner's; Excel: the sheet's used range),
// else against the bytes it reads when it knows their total (a CSV file, a
// CSV in a zip, an Excel sheet's XML), else a count of rows.
func (s snapshotStage) writeBatches(t *pipeline.Table, rr extract.TableReader, write func(arrow.RecordBatch) error) error {
	bar := s.g.bar
	var rows, size int64
	est, _ := rr.(extract.RowsEstimator)
	if est != nil {
		rows, _ = est.RowsEstimate()
	}
	counter, _ := rr.(interface {
		BytesRead() int64
		BytesTotal() int64
	})
	if counter != nil {
		size = counter.BytesTotal()
	}
	switch {
	case rows > 0:
		bar.StartEstimate("snapshot "+t.Name, rows, "rows")
	case size > 0:
		bar.Start("snapshot "+t.Name, size, unitBytes)
	default:
		bar.Start("snapshot "+t.Name, 0, "rows")
	}
	defer bar.Finish()
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := write(rec); err != nil {
			return err
		}
		switch {
		case rows > 0:
			_, done := est.RowsEstimate()
			bar.Set(done)
		case size > 0:
			bar.Set(counter.BytesRead())
		default:
			bar.Add(rec.NumRows())
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// columnTypes parses the declared column types of a table.
func columnTypes(t *pipeline.Table) (map[string]extract.Type, error) {
	types := map[string]extract.Type{}
	for col, ct := range t.Columns {
		typ, err := extract.ParseType(ct.String())
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", col, err)
		}
		types[col] = typ
	}
	return types, nil
}

// openSource opens one table of a source as a stream of record batches.
func openSource(ctx context.Context, cfg *pipeline.Config, src *pipeline.Source, t *pipeline.Table, onReject func(extract.Reject) error) (extract.TableReader, error) {
	types, err := columnTypes(t)
	if err != nil {
		return nil, err
	}
	switch src.Type {
	case pipeline.SourceCSV:
		if t.IsZip() {
			return extract.OpenZipCSV(ctx, t.File, cfg.EntryOf(t), csvOptions(cfg, src, t, types, onReject))
		}
		return extract.Open(ctx, t.File, csvOptions(cfg, src, t, types, onReject), t.Sheet)
	case pipeline.SourcePostgres:
		dsn := os.Getenv(src.DSNEnv)
		if dsn == "" {
			return nil, fmt.Errorf("source %s: environment variable %s (dsn_env) is not set", src.Name, src.DSNEnv)
		}
		return extract.OpenPostgres(ctx, extract.PostgresOptions{DSN: dsn, Table: t.Name, Query: t.Query, Source: t.Table, Types: types, OnReject: onReject})
	}
	return nil, fmt.Errorf("source %s: type %s cannot be extracted by this build", src.Name, src.Type)
}

func (s snapshotStage) snapshotTable(ctx context.Context, env *pipeline.Env, src *pipeline.Source, t *pipeline.Table, kr *keys.Keyring) (m *snapshot.Manifest, stats extract.Stats, err error) {
	if t.Incremental != nil && src.Type == pipeline.SourcePostgres {
		return s.snapshotIncremental(ctx, env, src, t, kr) // watermark nights (stage_snapshot_pg.go)
	}
	var w tableWriter
	var coll rejectCollector
	failID := newFailedID(env.Now(), env.RunID)
	// A failed table keeps its rejects (and why it failed) for `vigil rejects`.
	defer func() {
		if err == nil || ctx.Err() != nil {
			return
		}
		fe := &failedExtraction{Format: 1, Table: t.Name, ID: failID, RunID: env.RunID, Created: env.Now().UTC(),
			RowsRead: stats.RowsRead, RowsRejected: stats.RowsRejected, MaxRejected: env.Config.MaxRejectedOf(t).String(),
			Error: err.Error(), Rejects: coll.entries, rawRows: coll.raw}
		if fe.Rejects == nil {
			fe.Rejects = []rejectEntry{}
		}
		if _, serr := saveFailedExtraction(env.Paths.Home, kr, fe); serr != nil {
			env.Logger.Warn("cannot keep the rejects of the failed table", "table", t.Name, "error", serr.Error())
		}
		clear(coll.raw)
	}()
	rr, err := openSource(ctx, env.Config, src, t, func(r extract.Reject) error {
		coll.add(r)
		return w.Reject(snapshot.Reject{File: r.File, Line: r.Line, Column: r.Column, Reason: r.Reason, Raw: r.Raw})
	})
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer rr.Close()
	defer rr.Release()
	extra := map[string]string{"run_id": env.RunID}
	if si, ok := rr.(interface{ SourceInfo() map[string]string }); ok {
		maps.Copy(extra, si.SourceInfo()) // original PostgreSQL column types, for restore
	}
	w, err = createTableWriter(ctx, env, t, snapshot.Options{
		Store:          env.Paths.Store,
		Table:          t.Name,
		Source:         src.Type + ":" + src.Name,
		Keys:           kr,
		Auth:           kr,
		MaxRowsPerFile: env.Config.Snapshot.MaxRowsPerFile,
		Now:            env.Now,
		Logger:         env.Logger,
		Extra:          extra,
		RunID:          env.RunID,
	}, rr.Schema())
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer w.Abort()
	if err := s.writeBatches(t, rr, w.Write); err != nil {
		return nil, rr.Stats(), err
	}
	stats = rr.Stats()
	if limit := env.Config.MaxRejectedOf(t); !limit.Allows(stats.RowsRejected, stats.RowsRead) {
		return nil, stats, tooManyRejects(t.Name, stats, limit, &coll, failID)
	}
	m, err = w.Commit(ctx, stats.RowsRead)
	if err != nil {
		return nil, stats, err
	}
	return m, stats, nil
}
