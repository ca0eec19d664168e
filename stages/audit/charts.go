package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// summarizeHours aggregates the period's events by hour, source and action
// into the small table hourly, in one scan; charts, coverage and per-action
// counts are computed from it.
func (e *engine) summarizeHours(ctx context.Context, from, to time.Time) error {
	// Bucket on the integer epoch: date_trunc on TIMESTAMPTZ goes through
	// the time-zone library for every row.
	err := e.exec(ctx, `CREATE OR REPLACE TEMP TABLE hourly AS
		SELECT to_timestamp(hb * 3600) AS h, source, action, n FROM (
			SELECT epoch_us(time) // 3600000000 AS hb, source, action, count(*) AS n
			FROM events WHERE time >= $1 AND time < $2 GROUP BY ALL)`, from, to)
	if err != nil {
		return fmt.Errorf("%w: hourly summary: %v", ErrEngine, err)
	}
	return nil
}

// charts computes the chart data for the period.
func (e *engine) charts(ctx context.Context, from, to time.Time, tz string, findings []Finding) (Charts, error) {
	var c Charts
	var err error
	// Periods over 62 days are bucketed per day (and the daily series per
	// week over five years), so that report.json grows with the findings,
	// not with the period's length.
	if to.Sub(from) <= 62*24*time.Hour {
		c.FailedLoginsPerHour, err = e.series(ctx, `SELECT h, CAST(sum(n) AS BIGINT) FROM hourly
		WHERE action = 'login_failed' AND h >= $1 AND h < $2 GROUP BY h`, from, to, time.Hour)
	} else {
		c.FailedLoginsPerHour, err = e.series(ctx, `SELECT date_trunc('day', h) AS t, CAST(sum(n) AS BIGINT) FROM hourly
		WHERE action = 'login_failed' AND h >= $1 AND h < $2 GROUP BY t`, from.Truncate(24*time.Hour), to, 24*time.Hour)
	}
	if err != nil {
		return c, err
	}
	if to.Sub(from) <= 5*366*24*time.Hour {
		c.EventsPerDay, err = e.series(ctx, `SELECT date_trunc('day', h) AS t, CAST(sum(n) AS BIGINT) FROM hourly
		WHERE h >= $1 AND h < $2 GROUP BY t`, from.Truncate(24*time.Hour), to, 24*time.Hour)
	} else {
		week := 7 * 24 * time.Hour
		start := time.Unix(from.Unix()/604800*604800, 0).UTC()
		c.EventsPerDay, err = e.series(ctx, `SELECT to_timestamp(epoch(h) // 604800 * 604800) AS t, CAST(sum(n) AS BIGINT) FROM hourly
		WHERE h >= $1 AND h < $2 GROUP BY t`, start, to, week)
	}
	if err != nil {
		return c, err
	}
	rows, err := e.conn.QueryContext(ctx, `SELECT "user", count(*) AS n, coalesce(sum(record_count), 0) AS recs FROM events
		WHERE action = 'export' AND "user" IS NOT NULL AND time >= $1 AND time < $2
		GROUP BY "user" ORDER BY recs DESC, n DESC, "user" LIMIT 25`, from, to)
	if err != nil {
		return c, fmt.Errorf("%w: charts: %v", ErrEngine, err)
	}
	for rows.Next() {
		var u UserExports
		if err := rows.Scan(&u.User, &u.Exports, &u.Records); err != nil {
			rows.Close()
			return c, err
		}
		c.ExportsPerUser = append(c.ExportsPerUser, u)
	}
	rows.Close()
	rows, err = e.conn.QueryContext(ctx, `SELECT isodow(timezone($3::VARCHAR, h)) - 1 AS d, hour(timezone($3::VARCHAR, h)) AS hr, CAST(sum(n) AS BIGINT)
		FROM hourly WHERE h >= $1 AND h < $2 GROUP BY d, hr`, from, to, tz)
	if err != nil {
		return c, fmt.Errorf("%w: charts: %v", ErrEngine, err)
	}
	for rows.Next() {
		var d, h, n int64
		if err := rows.Scan(&d, &h, &n); err != nil {
			rows.Close()
			return c, err
		}
		if d >= 0 && d < 7 && h >= 0 && h < 24 {
			c.AccessHeatmap[d][h] = n
		}
	}
	rows.Close()
	c.FindingsBySeverity = map[string]int{}
	for _, s := range detections.Severities {
		c.FindingsBySeverity[s] = 0
	}
	for _, f := range findings {
		if !f.Suppressed {
			c.FindingsBySeverity[f.Severity]++
		}
	}
	return c, nil
}

// series runs a (bucket, count) query and fills empty buckets with zero.
func (e *engine) series(ctx context.Context, q string, from, to time.Time, step time.Duration) ([]TimeCount, error) {
	rows, err := e.conn.QueryContext(ctx, q, from, to)
	if err != nil {
		return nil, fmt.Errorf("%w: charts: %v", ErrEngine, err)
	}
	defer rows.Close()
	got := map[int64]int64{}
	for rows.Next() {
		var t time.Time
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		got[t.Unix()] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []TimeCount
	for t := from.UTC().Truncate(step); t.Before(to); t = t.Add(step) {
		out = append(out, TimeCount{Time: t, Count: got[t.Unix()]})
	}
	return out, nil
}
