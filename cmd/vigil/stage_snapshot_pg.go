package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/extract"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// snapshotIncremental snapshots a PostgreSQL table with a watermark: when
// the table's chain can be continued, only the rows whose watermark is
// above the last committed one (less the overlap) are read, and deletions
// come from a key comparison or soft deletes, all in one REPEATABLE READ
// READ ONLY transaction. Otherwise (first night, chain due for a full
// snapshot, rejects, rows the watermark missed) the whole table is read.
// The new watermark is part of the committed manifest: a night that fails
// commits nothing and leaves the watermark where it was.
func (s snapshotStage) snapshotIncremental(ctx context.Context, env *pipeline.Env, src *pipeline.Source, t *pipeline.Table, kr *keys.Keyring) (*snapshot.Manifest, extract.Stats, error) {
	dsn := os.Getenv(src.DSNEnv)
	if dsn == "" {
		return nil, extract.Stats{}, fmt.Errorf("source %s: environment variable %s (dsn_env) is not set", src.Name, src.DSNEnv)
	}
	opts := snapshot.Options{
		Store:          env.Paths.Store,
		Table:          t.Name,
		Source:         src.Type + ":" + src.Name,
		Keys:           kr,
		Auth:           kr,
		MaxRowsPerFile: env.Config.Snapshot.MaxRowsPerFile,
		Now:            env.Now,
		Logger:         env.Logger,
		Extra:          map[string]string{"run_id": env.RunID},
	}
	if prev := snapshot.PreviousWatermark(opts); prev != "" {
		m, stats, err := s.pgNight(ctx, env, t, opts, dsn, prev)
		var fallback *fullNeeded
		if !errors.As(err, &fallback) && !errors.Is(err, snapshot.ErrCannotContinue) && !errors.Is(err, snapshot.ErrWatermarkMissed) {
			return m, stats, err
		}
		env.Logger.Info("reading the whole table", "table", t.Name, "reason", err.Error())
	}
	return s.pgNight(ctx, env, t, opts, dsn, "")
}

// fullNeeded asks for a full read of the table.
type fullNeeded struct{ why string }

func (f *fullNeeded) Error() string { return f.why }

// lowerWatermark subtracts the overlap from a timestamp watermark (PostgreSQL
// text form in UTC); integer watermarks are returned unchanged.
func lowerWatermark(wm string, overlap time.Duration) string {
	if _, err := strconv.ParseInt(wm, 10, 64); err == nil || overlap == 0 {
		return wm
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999", "2006-01-02"} {
		if ts, err := time.Parse(layout, wm); err == nil {
			return ts.Add(-overlap).UTC().Format("2006-01-02 15:04:05.999999Z07")
		}
	}
	return wm
}

// pgNight reads the table (prev == "": all of it; else the changes since
// the watermark prev) and commits tonight's link.
func (s snapshotStage) pgNight(ctx context.Context, env *pipeline.Env, t *pipeline.Table, opts snapshot.Options, dsn, prev string) (*snapshot.Manifest, extract.Stats, error) {
	inc := t.Incremental
	changes := prev != ""
	types, err := columnTypes(t)
	if err != nil {
		return nil, extract.Stats{}, err
	}
	wm := pgx.Identifier{inc.Watermark}.Sanitize()
	var where string
	var args []any
	if changes {
		where, args = wm+" > $1", []any{lowerWatermark(prev, inc.Overlap)}
	}
	if inc.Deletes == pipeline.DeletesSoftDelete {
		live := pgx.Identifier{inc.SoftDelete}.Sanitize() + " IS NULL"
		if where != "" {
			where += " AND " + live
		} else {
			where = live
		}
	}
	var w *snapshot.ChainWriter
	rr, err := extract.OpenPostgres(ctx, extract.PostgresOptions{DSN: dsn, Table: t.Name, Source: t.Table, Types: types, Where: where, Args: args,
		OnReject: func(r extract.Reject) error {
			return w.Reject(snapshot.Reject{File: r.File, Line: r.Line, Column: r.Column, Reason: r.Reason, Raw: r.Raw})
		}})
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer rr.Close()
	defer rr.Release()
	if si, ok := rr.(interface{ SourceInfo() map[string]string }); ok {
		opts.Extra = maps.Clone(opts.Extra)
		maps.Copy(opts.Extra, si.SourceInfo())
	}
	ch := env.Config.Snapshot.Chain
	w, err = snapshot.CreateChained(ctx, opts, rr.Schema(), snapshot.ChainOptions{Key: t.Key, FullEvery: ch.FullEvery(), MaxLinks: ch.Links(), Changes: changes})
	if err != nil {
		return nil, extract.Stats{}, err
	}
	defer w.Abort()
	write := w.Write // the whole table
	if changes {
		write = w.WriteChanged // the rows changed since the watermark
	}
	if err := s.writeBatches(t, rr, write); err != nil {
		return nil, extract.Stats{}, err
	}
	stats := rr.Stats()
	if changes && stats.RowsRejected > 0 {
		return nil, stats, &fullNeeded{why: fmt.Sprintf("%d changed rows were rejected; a full snapshot keeps the table consistent", stats.RowsRejected)}
	}
	ps, ok := rr.(extract.PostgresSnapshot)
	if !ok {
		return nil, stats, errors.New("internal error: the PostgreSQL reader cannot run more statements")
	}
	from := pgx.Identifier(strings.Split(t.Table, ".")).Sanitize()
	if n, _, err := ps.QueryText("SELECT count(*)::text FROM " + from + " WHERE " + wm + " IS NULL"); err != nil {
		return nil, stats, err
	} else if n != "0" {
		return nil, stats, fmt.Errorf("source %s: watermark column %s is NULL in %s rows; an incremental would never read them (fill it, or drop incremental)", t.Table, inc.Watermark, n)
	}
	newWM, ok, err := ps.QueryText("SELECT max(" + wm + ")::text FROM " + from)
	if err != nil {
		return nil, stats, err
	}
	if !ok {
		newWM = prev
	}
	rowsRead := stats.RowsRead
	if changes {
		keyCols := t.Key
		var sub extract.TableReader
		switch {
		case inc.Deletes == pipeline.DeletesFullCompare && w.Depth()%max(1, inc.FullCompareEvery) == 0:
			sub, err = ps.Sub(keyCols, "")
		case inc.Deletes == pipeline.DeletesSoftDelete:
			sub, err = ps.Sub(keyCols, wm+" > $1 AND "+pgx.Identifier{inc.SoftDelete}.Sanitize()+" IS NOT NULL", args...)
		}
		if err != nil {
			return nil, stats, err
		}
		if sub != nil {
			for sub.Next() {
				if inc.Deletes == pipeline.DeletesSoftDelete {
					err = w.DeleteKeys(sub.RecordBatch())
				} else {
					err = w.SeenKeys(sub.RecordBatch())
				}
				if err != nil {
					sub.Close()
					return nil, stats, err
				}
			}
			err = sub.Err()
			if inc.Deletes == pipeline.DeletesSoftDelete {
				rowsRead += sub.Stats().RowsRead
			}
			sub.Close()
			sub.Release()
			if err != nil {
				return nil, stats, err
			}
		}
	}
	w.SetWatermark(newWM)
	m, err := w.Commit(ctx, rowsRead)
	if err != nil {
		return nil, stats, err
	}
	env.Logger.Info("watermark advanced", "table", t.Name, "kind", m.Chain.Kind, "rows_read", rowsRead)
	return m, stats, nil
}
