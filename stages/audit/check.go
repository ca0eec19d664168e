package audit

import (
	"context"
	"math"
	"regexp"
	"time"
)

// LogCheck is what `vigil logs check` reports about log files: the shape of
// each file (format, field names, the built-in mapping it matches) and how
// its events map. It never holds field values, only names and counts.
type LogCheck struct {
	Mapping string      `json:"mapping"` // as asked: auto, a built-in or a custom mapping's name
	Files   []Sniffed   `json:"files"`
	Stats   SourceStats `json:"stats"`
	// MappedPercent is Mapped/Read in percent, rounded down to 0.1 so that
	// 100.0 means every event mapped.
	MappedPercent float64 `json:"mapped_percent"`
}

// safeAction matches raw action values that are event-type names and so
// may be shown: identifiers without '@' and without spaces runs.
var safeAction = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\- ]{0,63}$`)

// CheckLogs maps the files at paths through mapping (auto, a built-in) or
// custom and accounts for every event: read = mapped + unmapped, with the
// reasons. Raw action values that do not look like event-type names are
// withheld, as are all other values.
func CheckLogs(ctx context.Context, paths []string, mapping string, custom *Mapping) (*LogCheck, error) {
	src := LogSource{Name: "check", Paths: paths, Mapping: mapping, Custom: custom}
	lc := &LogCheck{Mapping: mapping}
	if custom != nil {
		lc.Mapping = custom.Name
	}
	files, err := expandPaths(paths)
	if err != nil {
		return nil, &SourceError{Source: "check", Err: err}
	}
	for _, f := range files {
		sn, err := SniffFile(f)
		if err != nil {
			sn = Sniffed{File: f}
		}
		lc.Files = append(lc.Files, sn)
	}
	eng, err := openEngine(ctx, "", "", 0)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	stats, err := eng.ingest(ctx, []LogSource{src}, time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return lc, err
	}
	lc.Stats = stats[0]
	lc.Stats.Name = ""
	var kept []ValueCount
	for _, vc := range lc.Stats.UnknownActions {
		if safeAction.MatchString(vc.Value) {
			kept = append(kept, vc)
		} else {
			kept = append(kept, ValueCount{Value: "(value withheld)", Count: vc.Count})
		}
	}
	lc.Stats.UnknownActions = kept
	if lc.Stats.Read > 0 {
		lc.MappedPercent = math.Floor(float64(lc.Stats.Mapped)*1000/float64(lc.Stats.Read)) / 10
	}
	return lc, nil
}
