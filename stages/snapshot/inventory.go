package snapshot

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Snapshot statuses in an Inventory.
const (
	StatusOK         = "ok"         // in the ledger, manifest readable and the one the ledger recorded
	StatusDamaged    = "damaged"    // manifest unreadable, or not the one the ledger recorded
	StatusMissing    = "missing"    // the ledger records a live snapshot whose directory is gone
	StatusUnledgered = "unledgered" // a readable snapshot the ledger does not know
	StatusForgotten  = "forgotten"  // retention removed it from the ledger but the directory remains
)

// Item is one line of an Inventory.
type Item struct {
	Table        string            `json:"table"`
	ID           string            `json:"id"`
	Seq          int64             `json:"seq"`
	RunID        string            `json:"run_id,omitempty"`
	Created      time.Time         `json:"created"`
	Rows         int64             `json:"rows"`
	RowsRead     int64             `json:"rows_read"`
	RowsRejected int64             `json:"rows_rejected"`
	Files        int               `json:"files"`
	KeyID        string            `json:"key_id,omitempty"`
	Digest       string            `json:"digest,omitempty"`
	Source       string            `json:"source,omitempty"`
	Extra        map[string]string `json:"extra,omitempty"`
	Status       string            `json:"status"`
	Problem      string            `json:"problem,omitempty"`
	Latest       bool              `json:"latest"` // the snapshot TABLE/latest resolves to
}

// Ref returns "<table>/<id>".
func (it Item) Ref() string { return it.Table + "/" + it.ID }

// Inventory lists every snapshot of the store, good or not: readable ones,
// damaged ones (manifest unreadable or not the one the ledger recorded),
// ones the ledger records whose directory is gone, and ones the ledger
// does not know. One damaged snapshot never hides the others. The ledger
// is read without authentication (verify does that); problems with a
// table's ledger are returned next to the items.
func Inventory(store string) ([]Item, error) {
	snapTables, err := readDirNames(filepath.Join(store, snapshotsDir))
	if err != nil {
		return nil, err
	}
	ledTables, err := LedgerTables(store)
	if err != nil {
		return nil, err
	}
	tables := map[string]bool{}
	for _, t := range append(snapTables, ledTables...) {
		if ValidTable(t) == nil {
			tables[t] = true
		}
	}
	var items []Item
	var errs []error
	for t := range tables {
		l, lerr := ReadLedger(store, t, nil)
		if lerr != nil {
			errs = append(errs, lerr)
			l = &TableLedger{Table: t}
		}
		latestID := ""
		if m, err := LatestOf(store, t, nil); err == nil {
			latestID = m.ID
		} else if !errors.Is(err, ErrNotFound) && lerr == nil {
			errs = append(errs, err)
		}
		seen := map[string]bool{}
		ids, _ := readDirNames(TableDir(store, t))
		for _, id := range ids {
			if !ValidID(id) {
				continue
			}
			seen[id] = true
			it := Item{Table: t, ID: id}
			e := l.Entry(id)
			if e != nil {
				it.Seq, it.RunID = e.Seq, e.RunID
			}
			m, err := readManifestAt(filepath.Join(TableDir(store, t), id), t, id)
			switch {
			case err != nil:
				it.Status, it.Problem = StatusDamaged, err.Error()
			case e == nil:
				it.Status, it.Problem = StatusUnledgered, "not in the snapshot ledger"
			case e.Forgotten:
				it.Status, it.Problem = StatusForgotten, "forgotten by retention; the next run removes it"
			case !e.AcceptsManifest(m.fileSHA256):
				it.Status, it.Problem = StatusDamaged, "manifest differs from the one the ledger recorded (edited or replayed)"
			default:
				it.Status = StatusOK
			}
			if m != nil {
				if it.Seq == 0 {
					it.Seq = m.Seq
				}
				if it.RunID == "" {
					it.RunID = m.RunID
				}
				it.Created, it.Rows, it.RowsRejected, it.Files, it.Digest = m.Created, m.Rows, m.RowsRejected, len(m.Files), m.Digest
				it.RowsRead, it.Source, it.Extra = m.RowsRead, m.Source, m.Extra
				if len(m.Files) > 0 {
					it.KeyID = m.Files[0].KeyID
				}
			}
			it.Latest = id == latestID
			items = append(items, it)
		}
		for _, e := range l.Entries {
			if !seen[e.ID] && !e.Forgotten {
				items = append(items, Item{Table: t, ID: e.ID, Seq: e.Seq, RunID: e.RunID, Created: e.Committed,
					Status: StatusMissing, Problem: "committed, but the snapshot directory is gone"})
			}
		}
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Seq != b.Seq {
			return a.Seq < b.Seq
		}
		return a.ID < b.ID
	})
	return items, errors.Join(errs...)
}

// Sets groups the live ledger entries of tables by run id: snapshot sets,
// newest first (by the newest commit in the set). Entries without a run id
// are left out.
func Sets(store string, tables []string) ([]SnapshotSet, error) {
	byRun := map[string]*SnapshotSet{}
	for _, t := range tables {
		l, err := ReadLedger(store, t, nil)
		if err != nil {
			return nil, err
		}
		for _, e := range l.Live() {
			if e.RunID == "" {
				continue
			}
			s := byRun[e.RunID]
			if s == nil {
				s = &SnapshotSet{RunID: e.RunID, Snapshots: map[string]string{}}
				byRun[e.RunID] = s
			}
			s.Snapshots[t] = e.ID
			if e.Committed.After(s.Committed) {
				s.Committed = e.Committed
			}
		}
	}
	out := make([]SnapshotSet, 0, len(byRun))
	for _, s := range byRun {
		for _, t := range tables {
			if _, ok := s.Snapshots[t]; !ok {
				s.Missing = append(s.Missing, t)
			}
		}
		s.Complete = len(s.Missing) == 0
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Committed.Equal(out[j].Committed) {
			return out[i].Committed.After(out[j].Committed)
		}
		return out[i].RunID > out[j].RunID
	})
	return out, nil
}

// SnapshotSet is the snapshots one run wrote: one consistent night.
type SnapshotSet struct {
	RunID     string            `json:"run_id"`
	Committed time.Time         `json:"committed"`
	Snapshots map[string]string `json:"snapshots"` // table → snapshot id
	Missing   []string          `json:"missing,omitempty"`
	Complete  bool              `json:"complete"`
}

// FindSet returns the set of run (or, for "latest", the newest complete
// set) among sets, and the newer incomplete sets skipped to find it.
func FindSet(sets []SnapshotSet, run string) (SnapshotSet, []SnapshotSet, error) {
	var skipped []SnapshotSet
	for _, s := range sets {
		if run == latestRef {
			if s.Complete {
				return s, skipped, nil
			}
			skipped = append(skipped, s)
			continue
		}
		if s.RunID == run {
			if !s.Complete {
				return s, nil, fmt.Errorf("%w: snapshot set %s is incomplete: no snapshot of %s", ErrNotFound, run, strings.Join(s.Missing, ", "))
			}
			return s, nil, nil
		}
	}
	if run == latestRef {
		return SnapshotSet{}, skipped, fmt.Errorf("%w: no complete snapshot set", ErrNotFound)
	}
	return SnapshotSet{}, nil, fmt.Errorf("%w: no snapshot set with run id %s", ErrNotFound, run)
}
