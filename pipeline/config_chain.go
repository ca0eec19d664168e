package pipeline

import (
	"strings"
	"time"
)

// IncrementalConfig is a PostgreSQL table's watermark incremental.
type IncrementalConfig struct {
	Watermark        string        `yaml:"watermark"`          // column that grows on insert and update
	Overlap          time.Duration `yaml:"overlap"`            // re-read below the last watermark (timestamps)
	Deletes          string        `yaml:"deletes"`            // full_compare | soft_delete | none
	FullCompareEvery int           `yaml:"full_compare_every"` // nights between key comparisons (default 1)
	SoftDelete       string        `yaml:"soft_delete"`        // deletes: soft_delete: the column marking deleted rows
}

// Deletion detection modes of IncrementalConfig.Deletes.
const (
	DeletesFullCompare = "full_compare"
	DeletesSoftDelete  = "soft_delete"
	DeletesNone        = "none"
)

// ChainConfig tunes change-only snapshots.
type ChainConfig struct {
	FullEveryDays   *int `yaml:"full_every_days"`  // default 7; 0: never by age
	MaxIncrementals int  `yaml:"max_incrementals"` // default 30
}

// Defaults of ChainConfig.
const (
	DefaultFullEveryDays   = 7
	DefaultMaxIncrementals = 30
	DefaultOverlap         = time.Hour
)

// FullEvery returns the age at which a chain's full snapshot is replaced (0: never).
func (c ChainConfig) FullEvery() time.Duration {
	d := DefaultFullEveryDays
	if c.FullEveryDays != nil {
		d = *c.FullEveryDays
	}
	return time.Duration(d) * 24 * time.Hour
}

// Links returns the most incremental or unchanged nights after a full snapshot.
func (c ChainConfig) Links() int {
	if c.MaxIncrementals <= 0 {
		return DefaultMaxIncrementals
	}
	return c.MaxIncrementals
}

func (v *validator) chains() {
	c := v.cfg.Snapshot.Chain
	if c.FullEveryDays != nil && *c.FullEveryDays < 0 {
		v.errf("snapshot.chain.full_every_days", "must not be negative")
	}
	if c.MaxIncrementals < 0 {
		v.errf("snapshot.chain.max_incrementals", "must not be negative")
	}
	for _, sn := range v.cfg.SourceNames() {
		s := v.cfg.Sources[sn]
		for _, tn := range sortedKeys(s.Tables) {
			t := s.Tables[tn]
			tp := childPath(childPath("sources", sn)+".tables", tn)
			seen := map[string]bool{}
			for _, k := range t.Key {
				if strings.TrimSpace(k) == "" || seen[k] {
					v.errf(tp+".key", "key columns must be distinct, non-empty column names")
				}
				seen[k] = true
			}
			inc := t.Incremental
			if inc == nil {
				continue
			}
			ip := tp + ".incremental"
			switch {
			case s.Type != SourcePostgres:
				v.errf(ip, "only applies to postgres sources (other sources are diffed against the previous night)")
				continue
			case len(t.Key) == 0:
				v.errf(ip, "needs key: the columns that identify a row")
			case t.Query != "":
				v.errf(ip, "needs table: (a watermark cannot be added to a query)")
			}
			if inc.Watermark == "" {
				v.errf(ip+".watermark", "missing; name a column that grows on every insert and update (e.g. updated_at)")
			}
			if inc.Deletes == "" {
				inc.Deletes = DeletesFullCompare
			}
			v.oneOf(ip+".deletes", inc.Deletes, DeletesFullCompare, DeletesSoftDelete, DeletesNone)
			if inc.Deletes == DeletesSoftDelete && inc.SoftDelete == "" {
				v.errf(ip+".soft_delete", "missing; name the column that marks deleted rows")
			}
			if inc.Deletes != DeletesSoftDelete && inc.SoftDelete != "" {
				v.errf(ip+".soft_delete", "only applies with deletes: soft_delete")
			}
			if inc.FullCompareEvery < 0 {
				v.errf(ip+".full_compare_every", "must not be negative")
			}
			if inc.FullCompareEvery == 0 {
				inc.FullCompareEvery = 1
			}
			if !v.present(ip + ".overlap") {
				inc.Overlap = DefaultOverlap
			}
		}
	}
}
