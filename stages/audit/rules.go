package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// RuleChecker prepares detection rules on an empty canonical schema
// (detections.SchemaSQL) and checks their parameters and result columns.
// It implements detections.Checker.
type RuleChecker struct {
	eng *engine
}

// NewRuleChecker opens an in-memory DuckDB with the empty canonical schema.
func NewRuleChecker(ctx context.Context) (*RuleChecker, error) {
	eng, err := openEngine(ctx, "", "", 1)
	if err != nil {
		return nil, err
	}
	for _, s := range detections.SchemaSQL() {
		if err := eng.exec(ctx, s); err != nil {
			eng.Close()
			return nil, fmt.Errorf("%w: canonical schema: %v", ErrEngine, err)
		}
	}
	// Rules run without file or network access; check them the same way.
	if err := eng.lockDown(ctx); err != nil {
		eng.Close()
		return nil, err
	}
	return &RuleChecker{eng: eng}, nil
}

// Close releases the database.
func (c *RuleChecker) Close() error { return c.eng.Close() }

// CheckRule prepares the rule's SQL and checks that it uses only declared
// parameters and returns the finding columns with the right types.
func (c *RuleChecker) CheckRule(ctx context.Context, r *detections.Rule) error {
	return checkRuleOn(ctx, c.eng, r)
}

func checkRuleOn(ctx context.Context, eng *engine, r *detections.Rule) error {
	info, err := eng.describe(ctx, r.SQL)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range info.params {
		if _, ok := r.Parameter(p); !ok && !slices.Contains(detections.ReservedParameters, p) {
			errs = append(errs, fmt.Errorf("parameter $%s is not declared", p))
		}
	}
	seen := map[string]bool{}
	for _, col := range info.cols {
		known, _ := detections.IsFindingColumn(col.name)
		if !known {
			errs = append(errs, fmt.Errorf("result column %q is not a finding column (%s)", col.name, findingColumnNames()))
			continue
		}
		if seen[col.name] {
			errs = append(errs, fmt.Errorf("result column %q appears twice", col.name))
			continue
		}
		seen[col.name] = true
		if !typeFits(col.name, col.typ) {
			errs = append(errs, fmt.Errorf("result column %q has type %s", col.name, col.typ))
		}
	}
	for _, c := range detections.FindingColumns {
		if _, req := detections.IsFindingColumn(c.Name); req && !seen[c.Name] {
			errs = append(errs, fmt.Errorf("result column %q is missing", c.Name))
		}
	}
	if len(errs) == 0 {
		if _, err := eng.describe(ctx, wrapRule(r.SQL, info.cols, 1)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func findingColumnNames() string {
	var n []string
	for _, c := range detections.FindingColumns {
		n = append(n, c.Name)
	}
	return strings.Join(n, ", ")
}

func typeFits(col, typ string) bool {
	switch col {
	case "user", "key", "detail":
		return typ == "VARCHAR" || typ == "NULL"
	case "window_start", "window_end":
		return typ == "TIMESTAMPTZ"
	case "event_count":
		return slices.Contains([]string{"BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "SMALLINT"}, typ)
	case "evidence":
		return typ == "LIST(BIGINT)" || typ == "LIST(INTEGER)" || typ == "LIST(NULL)"
	}
	return false
}

// LoadRules loads detection rules from fsys (the built-in rules when fsys
// is nil) and checks each against the canonical schema. Errors name the
// file, line and rule id.
func LoadRules(ctx context.Context, fsys fs.FS) ([]detections.Rule, error) {
	chk, err := NewRuleChecker(ctx)
	if err != nil {
		return nil, err
	}
	defer chk.Close()
	if fsys == nil {
		return detections.Builtin(ctx, chk)
	}
	return detections.Load(ctx, fsys, chk)
}

// wrapRule restricts a rule's findings to the audit period and normalizes
// its columns: user, window_start, window_end, event_count, key, detail,
// evidence (first maxEvidence ids) and evidence_total.
func wrapRule(ruleSQL string, cols []colInfo, maxEvidence int) string {
	has := func(n string) bool {
		return slices.ContainsFunc(cols, func(c colInfo) bool { return c.name == n })
	}
	opt := func(n, typ string) string {
		if has(n) {
			return "CAST(f." + quoteIdent(n) + " AS " + typ + ")"
		}
		return "CAST(NULL AS " + typ + ")"
	}
	ev, total := "CAST(NULL AS BIGINT[])", "CAST(0 AS BIGINT)"
	if has("evidence") {
		ev = fmt.Sprintf("list_slice(CAST(f.evidence AS BIGINT[]), 1, %d)", maxEvidence)
		total = "CAST(coalesce(len(f.evidence), 0) AS BIGINT)"
	}
	return "SELECT CAST(f.\"user\" AS VARCHAR), f.window_start, f.window_end, CAST(f.event_count AS BIGINT), " +
		opt("key", "VARCHAR") + ", " + opt("detail", "VARCHAR") + ", " + ev + ", " + total +
		"\nFROM (\n" + ruleSQL + "\n) AS f\nWHERE f.window_end >= $period_start AND f.window_start < $period_end"
}

// rawFinding is one row of a rule's result.
type rawFinding struct {
	user, key, detail string
	start, end        time.Time
	count             int64
	evidence          []int64
	evidenceTotal     int64
}

// runRule runs one rule over the loaded tables.
func (e *engine) runRule(ctx context.Context, r *detections.Rule, values map[string]any, from, to time.Time, maxEvidence int) ([]rawFinding, error) {
	info, err := e.describe(ctx, r.SQL)
	if err != nil {
		return nil, err
	}
	q := wrapRule(r.SQL, info.cols, maxEvidence)
	all := make(map[string]any, len(values)+2)
	for k, v := range values {
		all[k] = v
	}
	all["period_start"], all["period_end"] = from, to
	rows, err := e.queryNamed(ctx, q, all)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rawFinding
	for rows.Next() {
		var f rawFinding
		var user, key, detail sql.NullString
		var ev any
		if err := rows.Scan(&user, &f.start, &f.end, &f.count, &key, &detail, &ev, &f.evidenceTotal); err != nil {
			return nil, err
		}
		f.user, f.key, f.detail = user.String, key.String, detail.String
		f.start, f.end = f.start.UTC(), f.end.UTC()
		f.evidence = toInt64s(ev)
		out = append(out, f)
	}
	return out, rows.Err()
}

func toInt64s(v any) []int64 {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		switch n := x.(type) {
		case int64:
			out = append(out, n)
		case int32:
			out = append(out, int64(n))
		case int:
			out = append(out, int64(n))
		}
	}
	return out
}

// RunExamples runs every rule's own examples: match examples must produce
// findings (exactly Findings when set, all naming User when set), no_match
// examples none. All failures are reported, each as an *ExampleError.
func RunExamples(ctx context.Context, rules []detections.Rule) error {
	eng, err := openEngine(ctx, "", "", 1)
	if err != nil {
		return err
	}
	defer eng.Close()
	for _, s := range detections.SchemaSQL() {
		if err := eng.exec(ctx, s); err != nil {
			return fmt.Errorf("%w: canonical schema: %v", ErrEngine, err)
		}
	}
	var errs []error
	for i := range rules {
		r := &rules[i]
		for _, ex := range r.Examples.Match {
			if err := eng.runExample(ctx, r, ex, true); err != nil {
				errs = append(errs, &ExampleError{File: r.File, Line: ex.Line, Rule: r.ID, Example: ex.Name, Err: err})
			}
		}
		for _, ex := range r.Examples.NoMatch {
			if err := eng.runExample(ctx, r, ex, false); err != nil {
				errs = append(errs, &ExampleError{File: r.File, Line: ex.Line, Rule: r.ID, Example: ex.Name, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}

var (
	exampleFrom = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	exampleTo   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func (e *engine) runExample(ctx context.Context, r *detections.Rule, ex detections.Example, match bool) error {
	if err := e.loadExample(ctx, ex); err != nil {
		return err
	}
	values, err := r.Values(ex.Params)
	if err != nil {
		return err
	}
	found, err := e.runRule(ctx, r, values, exampleFrom, exampleTo, 100)
	if err != nil {
		return err
	}
	switch {
	case !match && len(found) > 0:
		return fmt.Errorf("want no finding, got %d: %s", len(found), describeFindings(found))
	case match && len(found) == 0:
		return errors.New("want a finding, got none")
	case match && ex.Findings > 0 && len(found) != ex.Findings:
		return fmt.Errorf("want %d finding(s), got %d: %s", ex.Findings, len(found), describeFindings(found))
	}
	if ex.User != "" {
		for _, f := range found {
			if f.user != ex.User {
				return fmt.Errorf("want findings for %s, got one for %q", ex.User, f.user)
			}
		}
	}
	return nil
}

func describeFindings(fs []rawFinding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("[%s %s %s..%s n=%d %s]", f.user, f.key,
			f.start.Format(time.RFC3339), f.end.Format(time.RFC3339), f.count, f.detail))
	}
	return strings.Join(parts, " ")
}

// loadExample replaces the canonical tables' rows with the example's.
func (e *engine) loadExample(ctx context.Context, ex detections.Example) error {
	for _, t := range []string{"events", "staff", "ownership"} {
		if err := e.exec(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	rows, err := ex.Rows()
	if err != nil {
		return err
	}
	for i, row := range rows {
		row["event_id"] = int64(i + 1)
		if err := e.insertRow(ctx, "events", detections.EventColumns, row); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	for i, s := range ex.Staff {
		if err := e.insertRow(ctx, "staff", detections.StaffColumns, toAnyMap(s)); err != nil {
			return fmt.Errorf("staff row %d: %w", i, err)
		}
	}
	for i, o := range ex.Ownership {
		if err := e.insertRow(ctx, "ownership", detections.OwnershipColumns, toAnyMap(o)); err != nil {
			return fmt.Errorf("ownership row %d: %w", i, err)
		}
	}
	return nil
}

func toAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// insertRow inserts one row, casting each value to its column type.
func (e *engine) insertRow(ctx context.Context, table string, cols []detections.Column, row map[string]any) error {
	var names, ph []string
	var args []any
	for _, c := range cols {
		v, ok := row[c.Name]
		if !ok {
			continue
		}
		names = append(names, quoteIdent(c.Name))
		args = append(args, v)
		ph = append(ph, fmt.Sprintf("CAST($%d AS %s)", len(args), c.Type))
	}
	q := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	return e.exec(ctx, q, args...)
}

// ExampleDetails runs the match examples of rules and returns the detail
// sentences their findings carry, by rule id: what a translation of the
// detail sentences (package reports) must cover.
func ExampleDetails(ctx context.Context, rules []detections.Rule) (map[string][]string, error) {
	eng, err := openEngine(ctx, "", "", 1)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	for _, s := range detections.SchemaSQL() {
		if err := eng.exec(ctx, s); err != nil {
			return nil, fmt.Errorf("%w: canonical schema: %v", ErrEngine, err)
		}
	}
	out := map[string][]string{}
	for i := range rules {
		r := &rules[i]
		for _, ex := range r.Examples.Match {
			if err := eng.loadExample(ctx, ex); err != nil {
				return nil, err
			}
			values, err := r.Values(ex.Params)
			if err != nil {
				return nil, err
			}
			found, err := eng.runRule(ctx, r, values, exampleFrom, exampleTo, 1)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", r.ID, ex.Name, err)
			}
			for _, f := range found {
				if f.detail != "" {
					out[r.ID] = append(out[r.ID], f.detail)
				}
			}
		}
	}
	return out, nil
}
