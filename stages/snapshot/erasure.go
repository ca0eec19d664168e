package snapshot

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// ErasureDir is the directory of the erasure ledger inside a store.
const ErasureDir = "erasure-ledger"

// ErrErasure: the erasure ledger cannot be read or applied. Reading
// snapshots fails rather than return an erased subject.
var ErrErasure = errors.New("snapshot: erasure ledger")

// Hasher computes keyed hashes of subject keys (the keyset's pseudonym
// PRF, keys.Keyring.Token). KeyID names the key in use, so that a record
// hashed under another key is detected instead of silently not matching.
type Hasher interface {
	Token(label string, data []byte) ([]byte, error)
	PseudonymKeyID() string
}

// ErasureRecord is one erasure request (GDPR Art. 17, PIPL Art. 47). It
// holds a keyed hash of the subject key, never the key itself, and is
// stored encrypted by the keyset's wrap key.
type ErasureRecord struct {
	Format  int       `json:"format"`
	Time    time.Time `json:"time"`
	Table   string    `json:"table"`
	Column  string    `json:"column"`
	Subject string    `json:"subject"` // hex keyed hash of the column's value
	KeyID   string    `json:"key_id"`  // pseudonym key that made Subject
	Reason  string    `json:"reason"`
}

func erasureAD() []byte { return []byte("vigil/erasure/v1") }

func subjectHash(h Hasher, table, column, value string) (string, error) {
	tok, err := h.Token("erasure\x00"+table+"\x00"+column, []byte(value))
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(tok), nil
}

// AppendErasure records that the subject whose column holds value must be
// excluded from every restore and dataset of table from now on. The
// record (keyed hash, never the value) is encrypted with keys and written
// atomically as its own file.
func AppendErasure(store string, keys KeyWrapper, h Hasher, table, column, value, reason string, now time.Time) (*ErasureRecord, error) {
	if err := ValidTable(table); err != nil {
		return nil, err
	}
	if column == "" || value == "" {
		return nil, fmt.Errorf("%w: column and value are required", ErrInvalidOptions)
	}
	if strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("%w: a reason is required", ErrInvalidOptions)
	}
	sub, err := subjectHash(h, table, column, value)
	if err != nil {
		return nil, err
	}
	rec := &ErasureRecord{Format: 1, Time: now.UTC().Truncate(time.Microsecond), Table: table, Column: column,
		Subject: sub, KeyID: h.PseudonymKeyID(), Reason: reason}
	plain, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	_, wrapped, err := keys.WrapKey(plain, erasureAD())
	if err != nil {
		return nil, fmt.Errorf("%w: encrypt: %v", ErrErasure, err)
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := rec.Time.Format("20060102T150405.000000Z") + "-" + hex.EncodeToString(rnd[:]) + ".bin"
	if err := atomicfile.WriteFile(filepath.Join(store, ErasureDir, name), wrapped, 0o600); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrErasure, err)
	}
	return rec, nil
}

// ReadErasures decrypts every erasure record of store, oldest first. A
// record that does not decrypt is an error: erasures are never skipped.
func ReadErasures(store string, keys KeyWrapper) ([]ErasureRecord, error) {
	ents, err := os.ReadDir(filepath.Join(store, ErasureDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrErasure, err)
	}
	var out []ErasureRecord
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".bin") {
			continue
		}
		b, err := readSmall(filepath.Join(store, ErasureDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrErasure, e.Name(), err)
		}
		plain, err := keys.UnwrapKey(b, erasureAD())
		if err != nil {
			return nil, fmt.Errorf("%w: %s does not decrypt with this keyset", ErrErasure, e.Name())
		}
		var r ErasureRecord
		if err := json.Unmarshal(plain, &r); err != nil || r.Format != 1 {
			return nil, fmt.Errorf("%w: %s: bad record", ErrErasure, e.Name())
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// Erasures is the filter built from the erasure ledger: by table and
// column, the keyed hashes of erased subjects.
type Erasures struct {
	h     Hasher
	byTab map[string]map[string]map[string]bool
}

// LoadErasures builds the filter of store. It fails when a record was
// hashed under a pseudonym key that is no longer primary (it could not
// match any more: erase the subject again after rotating that key).
func LoadErasures(store string, keys KeyWrapper, h Hasher) (*Erasures, error) {
	recs, err := ReadErasures(store, keys)
	if err != nil {
		return nil, err
	}
	e := &Erasures{h: h, byTab: map[string]map[string]map[string]bool{}}
	for _, r := range recs {
		if h == nil {
			return nil, fmt.Errorf("%w: the store has erasures but no keyed hash is available to apply them", ErrErasure)
		}
		if r.KeyID != h.PseudonymKeyID() {
			return nil, fmt.Errorf("%w: an erasure of %s.%s was hashed with pseudonym key %s, now %s; erase the subject again", ErrErasure, r.Table, r.Column, r.KeyID, h.PseudonymKeyID())
		}
		cols := e.byTab[r.Table]
		if cols == nil {
			cols = map[string]map[string]bool{}
			e.byTab[r.Table] = cols
		}
		if cols[r.Column] == nil {
			cols[r.Column] = map[string]bool{}
		}
		cols[r.Column][r.Subject] = true
	}
	return e, nil
}

// Empty reports whether nothing of table is erased.
func (e *Erasures) Empty(table string) bool { return e == nil || len(e.byTab[table]) == 0 }

// Matches reports whether row i of rec (of table) belongs to an erased subject.
func (e *Erasures) matches(table string, rec arrow.RecordBatch, cols map[int]map[string]bool, i int) (bool, error) {
	for ci, subs := range cols {
		col := rec.Column(ci)
		if col.IsNull(i) {
			continue
		}
		h, err := subjectHash(e.h, table, rec.Schema().Field(ci).Name, col.ValueStr(i))
		if err != nil {
			return false, err
		}
		if subs[h] {
			return true, nil
		}
	}
	return false, nil
}

// Filter wraps rr so that rows of erased subjects are dropped. Erased
// counts them. A column named by an erasure that the schema lacks is an
// error (fail closed).
func (e *Erasures) Filter(table string, rr array.RecordReader, alloc memory.Allocator) (*ErasureFilter, error) {
	cols := map[int]map[string]bool{}
	for name, subs := range e.byTab[table] {
		idx := rr.Schema().FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%w: erased subjects are keyed on column %q, which table %s does not have", ErrErasure, name, table)
		}
		cols[idx[0]] = subs
	}
	f := &ErasureFilter{e: e, table: table, rr: rr, cols: cols, alloc: alloc}
	f.refs.Store(1)
	return f, nil
}

// ErasureFilter is a RecordReader without the erased subjects' rows.
type ErasureFilter struct {
	refs   atomic.Int64
	e      *Erasures
	table  string
	rr     array.RecordReader
	cols   map[int]map[string]bool
	alloc  memory.Allocator
	rec    arrow.RecordBatch
	err    error
	Erased int64
}

func (f *ErasureFilter) Retain() { f.refs.Add(1) }
func (f *ErasureFilter) Release() {
	if f.refs.Add(-1) == 0 {
		if f.rec != nil {
			f.rec.Release()
			f.rec = nil
		}
		f.rr.Release()
	}
}
func (f *ErasureFilter) Schema() *arrow.Schema          { return f.rr.Schema() }
func (f *ErasureFilter) RecordBatch() arrow.RecordBatch { return f.rec }

// Record returns the current batch.
func (f *ErasureFilter) Record() arrow.RecordBatch { return f.rec }

func (f *ErasureFilter) Err() error {
	if f.err != nil {
		return f.err
	}
	return f.rr.Err()
}

func (f *ErasureFilter) Next() bool {
	if f.rec != nil {
		f.rec.Release()
		f.rec = nil
	}
	for f.err == nil && f.rr.Next() {
		rec := f.rr.RecordBatch()
		var keep [][2]int64
		start := int64(-1)
		n := int(rec.NumRows())
		for i := 0; i < n; i++ {
			erased, err := f.e.matches(f.table, rec, f.cols, i)
			if err != nil {
				f.err = err
				return false
			}
			if erased {
				f.Erased++
				if start >= 0 {
					keep = append(keep, [2]int64{start, int64(i)})
					start = -1
				}
			} else if start < 0 {
				start = int64(i)
			}
		}
		if start >= 0 {
			keep = append(keep, [2]int64{start, int64(n)})
		}
		if len(keep) == 1 && keep[0][0] == 0 && keep[0][1] == int64(n) {
			rec.Retain()
			f.rec = rec
			return true
		}
		if len(keep) == 0 {
			continue
		}
		cols := make([]arrow.Array, rec.NumCols())
		for c := range cols {
			parts := make([]arrow.Array, len(keep))
			for k, r := range keep {
				parts[k] = array.NewSlice(rec.Column(c), r[0], r[1])
			}
			out, err := array.Concatenate(parts, f.alloc)
			for _, p := range parts {
				p.Release()
			}
			if err != nil {
				for _, a := range cols[:c] {
					a.Release()
				}
				f.err = err
				return false
			}
			cols[c] = out
		}
		rows := cols[0].Len()
		f.rec = array.NewRecordBatch(rec.Schema(), cols, int64(rows))
		for _, a := range cols {
			a.Release()
		}
		return true
	}
	return false
}

// SetErasures makes Records drop the rows of erased subjects (Open does
// this for keysets that can compute keyed hashes).
func (s *Snapshot) SetErasures(e *Erasures) { s.erasures = e }

// ApplyErasures loads store's erasure ledger into s when keys can compute
// keyed hashes; a store with erasures and keys that cannot is an error.
func (s *Snapshot) applyErasures(store string) error {
	h, _ := s.keys.(Hasher)
	e, err := LoadErasures(store, s.keys, h)
	if err != nil {
		return err
	}
	s.erasures = e
	return nil
}
