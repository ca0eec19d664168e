package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Policy is a GFS (grandfather-father-son) retention policy, with restic's
// semantics: snapshot sets are taken newest first; KeepLast keeps the
// newest N sets; KeepDaily keeps the newest set of each of the last N days
// that have one (likewise weekly by ISO week, monthly, yearly); KeepWithin
// keeps every set created within that duration of the newest set. When a
// bucketed rule has more buckets to fill than there are sets, the oldest
// set is kept as well. A set kept by any rule is kept.
type Policy struct {
	Last, Daily, Weekly, Monthly, Yearly int
	Within                               time.Duration
}

// Empty reports whether the policy keeps nothing; such a policy is refused
// (it would remove everything but the protected snapshots).
func (p Policy) Empty() bool {
	return p.Last <= 0 && p.Daily <= 0 && p.Weekly <= 0 && p.Monthly <= 0 && p.Yearly <= 0 && p.Within <= 0
}

// String describes the policy, e.g. "last 1, daily 7".
func (p Policy) String() string {
	var parts []string
	for _, r := range []struct {
		n    int
		name string
	}{{p.Last, "last"}, {p.Daily, "daily"}, {p.Weekly, "weekly"}, {p.Monthly, "monthly"}, {p.Yearly, "yearly"}} {
		if r.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r.name, r.n))
		}
	}
	if p.Within > 0 {
		parts = append(parts, "within "+p.Within.String())
	}
	return strings.Join(parts, ", ")
}

// Candidate is one snapshot that retention considers.
type Candidate struct {
	Table   string    `json:"table"`
	ID      string    `json:"id"`
	Seq     int64     `json:"seq"`
	RunID   string    `json:"run_id,omitempty"`
	Created time.Time `json:"created"`
	// Committed orders snapshot sets (the ledger's commit time).
	Committed time.Time `json:"committed"`
	// Intact is true when the manifest authenticates and every file is
	// present with its recorded size; Damage says why not.
	Intact bool   `json:"intact"`
	Damage string `json:"damage,omitempty"`
	// Parent is the snapshot id an incremental or unchanged link builds
	// on (its chain's previous link); retention keeps it with the link.
	Parent string `json:"parent,omitempty"`
}

// Ref returns "<table>/<id>".
func (c Candidate) Ref() string { return c.Table + "/" + c.ID }

// Decision is retention's verdict on one snapshot.
type Decision struct {
	Candidate
	Set     string   `json:"set"` // run id, or the snapshot id when it has none
	Keep    bool     `json:"keep"`
	Reasons []string `json:"reasons"` // why it is kept, or why it goes
}

// ForgetOptions tune PlanForget.
type ForgetOptions struct {
	Location *time.Location // buckets (days, weeks, ...) in this zone; default UTC
	// Depends returns the snapshots (refs) that a kept snapshot needs
	// (e.g. the base of an incremental snapshot); they are kept too.
	// Nil: each link of an incremental chain keeps its parent (Candidate.Parent).
	Depends func(c Candidate) []string
}

// PlanForget decides which snapshots p keeps. Snapshots are grouped into
// snapshot sets by run id and the policy applies to sets. Whatever the
// policy, it keeps the newest intact snapshot of every table, and every
// damaged snapshot (evidence for verify; removing it is a decision for a
// person). Decisions are sorted by table, then sequence.
func PlanForget(cands []Candidate, p Policy, o ForgetOptions) ([]Decision, error) {
	if p.Empty() {
		return nil, fmt.Errorf("%w: the retention policy keeps nothing; give at least one --keep-* rule", ErrInvalidOptions)
	}
	if p.Last < 0 || p.Daily < 0 || p.Weekly < 0 || p.Monthly < 0 || p.Yearly < 0 || p.Within < 0 {
		return nil, fmt.Errorf("%w: negative retention rule", ErrInvalidOptions)
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	type set struct {
		key       string
		members   []int
		created   time.Time
		committed time.Time
		maxSeq    int64
		keep      bool
		reasons   []string
	}
	ds := make([]Decision, len(cands))
	sets := map[string]*set{}
	var order []*set
	for i, c := range cands {
		key := c.RunID
		if key == "" {
			key = c.Table + "/" + c.ID
		}
		ds[i] = Decision{Candidate: c, Set: key}
		s := sets[key]
		if s == nil {
			s = &set{key: key}
			sets[key] = s
			order = append(order, s)
		}
		s.members = append(s.members, i)
		if c.Created.After(s.created) {
			s.created = c.Created
		}
		if c.Committed.After(s.committed) {
			s.committed = c.Committed
		}
		if c.Seq > s.maxSeq {
			s.maxSeq = c.Seq
		}
	}
	// newest first: by commit time, then sequence, then key
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if !a.committed.Equal(b.committed) {
			return a.committed.After(b.committed)
		}
		if a.maxSeq != b.maxSeq {
			return a.maxSeq > b.maxSeq
		}
		return a.key > b.key
	})
	type rule struct {
		n      int
		name   string
		bucket func(time.Time) string
	}
	rules := []rule{
		{p.Last, "last", nil},
		{p.Daily, "daily", func(t time.Time) string { return t.Format("2006-01-02") }},
		{p.Weekly, "weekly", func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%04d-W%02d", y, w) }},
		{p.Monthly, "monthly", func(t time.Time) string { return t.Format("2006-01") }},
		{p.Yearly, "yearly", func(t time.Time) string { return t.Format("2006") }},
	}
	var newest time.Time
	if len(order) > 0 {
		newest = order[0].created
	}
	for _, r := range rules {
		left, last := r.n, ""
		for i, s := range order {
			if left <= 0 {
				break
			}
			if r.bucket == nil {
				s.keep = true
				s.reasons = append(s.reasons, fmt.Sprintf("last %d", i+1))
				left--
				continue
			}
			b := r.bucket(s.created.In(loc))
			if b != last {
				s.keep = true
				s.reasons = append(s.reasons, r.name+" "+b)
				last = b
				left--
			}
		}
		if r.bucket != nil && left > 0 && len(order) > 0 {
			// Not enough sets to fill every bucket: keep the oldest too.
			s := order[len(order)-1]
			s.keep = true
			s.reasons = append(s.reasons, r.name+" (oldest, buckets to spare)")
		}
	}
	if p.Within > 0 {
		for _, s := range order {
			if !s.created.Before(newest.Add(-p.Within)) {
				s.keep = true
				s.reasons = append(s.reasons, "within "+p.Within.String()+" of the newest")
			}
		}
	}
	for _, s := range order {
		for _, i := range s.members {
			ds[i].Keep = s.keep
			ds[i].Reasons = append([]string(nil), s.reasons...)
		}
	}
	// Protections.
	newestIntact := map[string]int{}
	for i, d := range ds {
		if !d.Intact {
			if !d.Keep {
				ds[i].Keep = true
				ds[i].Reasons = append(ds[i].Reasons, "damaged ("+d.Damage+"): kept for inspection")
			}
			continue
		}
		if j, ok := newestIntact[d.Table]; !ok || ds[j].Seq < d.Seq {
			newestIntact[d.Table] = i
		}
	}
	for _, i := range newestIntact {
		if !ds[i].Keep {
			ds[i].Keep = true
			ds[i].Reasons = append(ds[i].Reasons, "newest intact snapshot of the table (never removed)")
		}
	}
	depends := o.Depends
	if depends == nil {
		// Never break a chain a kept snapshot needs.
		depends = func(c Candidate) []string {
			if c.Parent == "" {
				return nil
			}
			return []string{c.Table + "/" + c.Parent}
		}
	}
	{
		idx := map[string]int{}
		for i, d := range ds {
			idx[d.Ref()] = i
		}
		for changed := true; changed; {
			changed = false
			for i := range ds {
				if !ds[i].Keep {
					continue
				}
				for _, dep := range depends(ds[i].Candidate) {
					if j, ok := idx[dep]; ok && !ds[j].Keep {
						ds[j].Keep = true
						ds[j].Reasons = append(ds[j].Reasons, "needed by "+ds[i].Ref())
						changed = true
					}
				}
			}
		}
	}
	for i := range ds {
		if !ds[i].Keep && len(ds[i].Reasons) == 0 {
			ds[i].Reasons = []string{"matches no keep rule (" + p.String() + ")"}
		}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Table != ds[j].Table {
			return ds[i].Table < ds[j].Table
		}
		return ds[i].Seq < ds[j].Seq
	})
	return ds, nil
}

// Candidates returns the live snapshots of the given tables (every table
// with a ledger if none is given) as retention candidates, checking each:
// the manifest must match the ledger and authenticate with auth, and every
// file must be present with its recorded size. A table without a ledger
// is an error wrapping ErrNotFound.
func Candidates(store string, tables []string, auth Authenticator) ([]Candidate, error) {
	if len(tables) == 0 {
		var err error
		if tables, err = LedgerTables(store); err != nil {
			return nil, err
		}
	}
	var out []Candidate
	for _, t := range tables {
		if err := ValidTable(t); err != nil {
			return nil, err
		}
		l, err := ReadLedger(store, t, auth)
		if err != nil {
			return nil, err
		}
		if len(l.Entries) == 0 {
			return nil, fmt.Errorf("%w: no snapshots of table %q", ErrNotFound, t)
		}
		for _, e := range l.Live() {
			c := Candidate{Table: t, ID: e.ID, Seq: e.Seq, RunID: e.RunID, Committed: e.Committed, Created: e.Committed}
			m, why := checkIntact(store, e, auth)
			if m != nil {
				c.Created = m.Created
				if m.Chain != nil && m.Chain.Kind != ChainFull {
					c.Parent = m.Chain.Parent
				}
			}
			c.Intact, c.Damage = why == "", why
			out = append(out, c)
		}
	}
	return out, nil
}

// checkIntact checks a live ledger entry cheaply (no file hashing).
func checkIntact(store string, e *LedgerEntry, auth Authenticator) (*Manifest, string) {
	dir := filepath.Join(TableDir(store, e.Table), e.ID)
	m, err := readManifestAt(dir, e.Table, e.ID)
	if err != nil {
		return nil, err.Error()
	}
	if !e.AcceptsManifest(m.fileSHA256) {
		return m, "manifest differs from the ledger's"
	}
	if auth != nil {
		if err := m.Authenticate(auth); err != nil {
			return m, err.Error()
		}
	}
	for _, f := range m.Files {
		st, err := os.Stat(filepath.Join(dir, f.Name))
		if err != nil {
			return m, "missing " + f.Name
		}
		if st.Size() != f.Size {
			return m, fmt.Sprintf("%s has %d bytes, manifest says %d", f.Name, st.Size(), f.Size)
		}
	}
	return m, ""
}

// ApplyForget removes the snapshots that decisions do not keep: for each,
// it first records a forget record in the snapshot ledger, then removes
// the directory (renamed to .tmp-del-* first). A crash between the two
// leaves a forgotten snapshot on disk that the next ApplyForget (or
// Cleanup) removes; the ledger never names a removed snapshot as live.
// It returns the removed references.
func ApplyForget(store string, decisions []Decision, auth Authenticator) ([]string, error) {
	var removed []string
	for _, d := range decisions {
		if d.Keep {
			continue
		}
		rec := &LedgerRecord{Kind: LedgerForget, Table: d.Table, ID: d.ID, Seq: d.Seq, RunID: d.RunID,
			Reason: strings.Join(d.Reasons, "; ")}
		if err := appendLedger(store, rec, auth); err != nil {
			return removed, err
		}
		removed = append(removed, d.Ref())
	}
	return removed, RemoveForgotten(store)
}

// RemoveForgotten removes the directories of snapshots the ledger records
// as forgotten (left by a crash during ApplyForget).
func RemoveForgotten(store string) error {
	tables, err := LedgerTables(store)
	if err != nil {
		return err
	}
	for _, t := range tables {
		l, err := ReadLedger(store, t, nil)
		if err != nil {
			return err
		}
		// A deletion killed half-way leaves .tmp-del-<id>: the decision
		// to delete it was made, and nothing reads it.
		trash, _ := filepath.Glob(filepath.Join(TableDir(store, t), tmpPrefix+"del-*"))
		for _, d := range trash {
			if err := os.RemoveAll(d); err != nil {
				return fmt.Errorf("snapshot: delete: %w", err)
			}
		}
		for _, e := range l.Entries {
			if !e.Forgotten {
				continue
			}
			dir := filepath.Join(TableDir(store, t), e.ID)
			if _, err := os.Stat(dir); err == nil {
				if err := deleteDir(dir); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
