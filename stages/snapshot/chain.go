package snapshot

// Change-only snapshots: chains of full, incremental and unchanged links.
//
// # Chains
//
// A table with a key (the columns that identify a row) is snapshotted as a
// chain. The first link is a full snapshot that also stores an index: for
// every row, the 128-bit hash of its key and the 128-bit hash of the whole
// row (the row hash of the content digest, see Digester), sorted by key
// hash, in encrypted files of kind "index". Each later night writes one of:
//
//   - unchanged: the table's content digest equals the previous link's. Only
//     a manifest is written (no files); it points at its parent.
//   - incremental: data files hold the rows that were added or changed since
//     the previous link, and files of kind "deletes" hold the key hashes of
//     the rows deleted since then. Encrypted like any snapshot file.
//   - full: a new chain starts, when the chain has ChainOptions.MaxLinks
//     links after its full snapshot, when the full snapshot is older than
//     ChainOptions.FullEvery, when the schema or key changed, or when the
//     previous snapshot is not a chain link (or cannot be authenticated).
//
// Every link's manifest records the table as of that night: Rows is the
// number of rows and Digest the content digest of the whole table, exactly
// as a full snapshot's would be; Chain records the kind, the key, the
// base (the chain's full snapshot), the parent link, the depth and what
// the link itself stores (rows, their digest, deleted keys).
//
// Snapshot.Records of an incremental or unchanged link returns the table as
// of that night, composed from the chain: every link from the base is
// opened (and authenticated, when the link was opened with Open) and its
// files checked; the index and the later links' changes give the live row
// hash of each key; the data files are then streamed oldest first and a row
// is passed on only if it is the live version of its key (first
// occurrence). At the end the composed row count and digest must equal the
// link's manifest, else the stream ends with ErrDigestMismatch or
// ErrRowCount. So every reader — restore, classify, anonymize, verify —
// sees whole tables, and a broken chain is an error, never a silent
// partial table.
//
// # Memory
//
// Diffing a night and composing a chain hold the chain's index in memory:
// 32 bytes per row of the table (a sorted array of key hash and row hash
// pairs) plus one bit per row, plus about 80 bytes per key changed since
// the base (a map). One million rows take about 33 MB; ten million about
// 330 MB. Rows themselves are streamed, never held. Nothing is decrypted
// into memory beyond the index and one record batch per open file.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Chain link kinds.
const (
	ChainFull        = "full"
	ChainIncremental = "incremental"
	ChainUnchanged   = "unchanged"
)

// ErrDuplicateKey means two rows of a table have the same key.
var ErrDuplicateKey = errors.New("snapshot: duplicate key")

// Chain describes a snapshot's place in a chain of change-only snapshots.
type Chain struct {
	Kind         string   `json:"kind"`             // full | incremental | unchanged
	Key          []string `json:"key"`              // the key columns
	Base         string   `json:"base"`             // id of the chain's full snapshot (its own id for a full one)
	Parent       string   `json:"parent,omitempty"` // id of the previous link (not for full)
	Depth        int      `json:"depth"`            // links since the base (0 for full)
	Stored       int64    `json:"stored_rows"`      // rows in this link's data files
	StoredDigest string   `json:"stored_digest"`    // content digest of those rows
	Deleted      int64    `json:"deleted"`          // key hashes in this link's deletes files
	// Watermark is the source's change watermark as of this link (PostgreSQL
	// incrementals); it is only trusted once the link is committed.
	Watermark string `json:"watermark,omitempty"`
}

// standsAlone reports whether the snapshot's data files hold the whole table.
func (c *Chain) standsAlone() bool { return c == nil || c.Kind == ChainFull }

var (
	indexSchema = arrow.NewSchema([]arrow.Field{
		{Name: "key_hash", Type: arrow.BinaryTypes.Binary},
		{Name: "row_hash", Type: arrow.BinaryTypes.Binary},
	}, nil)
	deletesSchema = arrow.NewSchema([]arrow.Field{
		{Name: "key_hash", Type: arrow.BinaryTypes.Binary},
	}, nil)
)

// sideSchema returns the schema of chain files of kind (nil for others).
func sideSchema(kind string) *arrow.Schema {
	switch kind {
	case KindIndex:
		return indexSchema
	case KindDeletes:
		return deletesSchema
	}
	return nil
}

func (m *Manifest) validateChain(dataRows, rejRows, delRows int64, nData int) error {
	c := m.Chain
	if len(c.Key) == 0 {
		return errors.New("chain without key columns")
	}
	cols := map[string]bool{}
	for _, col := range m.Schema {
		cols[col.Name] = true
	}
	seen := map[string]bool{}
	for _, k := range c.Key {
		if !cols[k] || seen[k] {
			return fmt.Errorf("chain key column %q is not a distinct column of the schema", k)
		}
		seen[k] = true
	}
	if !ValidID(c.Base) || !digestPattern.MatchString(c.StoredDigest) {
		return errors.New("chain: bad base id or stored digest")
	}
	if c.Stored != dataRows || c.Deleted != delRows || rejRows != m.RowsRejected {
		return fmt.Errorf("chain: files hold %d rows, %d deleted keys and %d rejects; manifest says %d, %d and %d",
			dataRows, delRows, rejRows, c.Stored, c.Deleted, m.RowsRejected)
	}
	switch c.Kind {
	case ChainFull:
		if c.Base != m.ID || c.Parent != "" || c.Depth != 0 || c.Deleted != 0 {
			return errors.New("chain: a full link is its own base, without parent")
		}
	case ChainIncremental, ChainUnchanged:
		if !ValidID(c.Parent) || c.Depth < 1 || c.Base == m.ID {
			return errors.New("chain: a link needs a parent and a depth of at least 1")
		}
		if c.Kind == ChainUnchanged && (len(m.Files) != 0 || c.Stored != 0) {
			return errors.New("chain: an unchanged link has no files")
		}
		if c.Kind == ChainIncremental && nData == 0 {
			return errors.New("chain: an incremental link needs a data file")
		}
	default:
		return fmt.Errorf("chain: unknown kind %q", c.Kind)
	}
	return nil
}

// hash16 is a truncated SHA-256.
type hash16 = [16]byte

// rowHasher computes the key hash and row hash of each row of a batch.
type rowHasher struct {
	key       []int
	cells     []cellFunc
	buf, kbuf []byte
}

func newRowHasher(schema *arrow.Schema, key []string) (*rowHasher, error) {
	h := &rowHasher{cells: make([]cellFunc, schema.NumFields())}
	for _, k := range key {
		idx := schema.FieldIndices(k)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%w: key column %q is not a column of the table", ErrInvalidOptions, k)
		}
		h.key = append(h.key, idx[0])
	}
	return h, nil
}

func (h *rowHasher) reset(rec arrow.RecordBatch) error {
	for i, col := range rec.Columns() {
		f, err := newCellFunc(col)
		if err != nil {
			return err
		}
		h.cells[i] = f
	}
	return nil
}

var keyHashPrefix = []byte("vigil/key/v1\x00")

// hash returns the key hash and the row hash (the Digester's, truncated to
// the 16 bytes the digest sums) of row i.
func (h *rowHasher) hash(i int) (kh, rh hash16) {
	h.buf = h.buf[:0]
	for _, f := range h.cells {
		h.buf = f(h.buf, i)
	}
	sum := sha256.Sum256(h.buf)
	copy(rh[:], sum[:16])
	h.kbuf = append(h.kbuf[:0], keyHashPrefix...)
	for _, k := range h.key {
		h.kbuf = h.cells[k](h.kbuf, i)
	}
	sum = sha256.Sum256(h.kbuf)
	copy(kh[:], sum[:16])
	return kh, rh
}

// digestSum accumulates row hashes like Digester.
type digestSum struct {
	s1, s2 uint64
	rows   int64
}

func (d *digestSum) add(rh hash16) {
	d.s1 += binary.BigEndian.Uint64(rh[0:8])
	d.s2 += binary.BigEndian.Uint64(rh[8:16])
	d.rows++
}

func (d *digestSum) sub(rh hash16) {
	d.s1 -= binary.BigEndian.Uint64(rh[0:8])
	d.s2 -= binary.BigEndian.Uint64(rh[8:16])
	d.rows--
}

func (d *digestSum) sum() string { return formatDigest(d.s1, d.s2) }

type indexEntry struct{ kh, rh hash16 }

type overEntry struct {
	rh      hash16
	deleted bool
	mark    bool
}

// chainState is the live row hash of every key as of one link.
type chainState struct {
	base []indexEntry // the full snapshot's index, sorted by key hash
	mark []uint64     // one bit per base entry
	over map[hash16]*overEntry
}

// find returns the base position of kh (or -1) and its overlay entry (or nil).
func (st *chainState) find(kh hash16) (int, *overEntry) {
	if e, ok := st.over[kh]; ok {
		return -1, e
	}
	i := sort.Search(len(st.base), func(i int) bool { return bytes.Compare(st.base[i].kh[:], kh[:]) >= 0 })
	if i < len(st.base) && st.base[i].kh == kh {
		return i, nil
	}
	return -1, nil
}

// take marks the live entry for kh if its row hash is rh and it was not
// taken before; it reports whether it did.
func (st *chainState) take(kh, rh hash16) bool {
	pos, e := st.find(kh)
	switch {
	case e != nil:
		if e.deleted || e.mark || e.rh != rh {
			return false
		}
		e.mark = true
		return true
	case pos >= 0:
		if st.base[pos].rh != rh || st.mark[pos/64]&(1<<(pos%64)) != 0 {
			return false
		}
		st.mark[pos/64] |= 1 << (pos % 64)
		return true
	}
	return false
}

// live calls f for every live key not marked.
func (st *chainState) unmarked(f func(kh, rh hash16)) {
	for i, e := range st.base {
		if st.mark[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		if _, over := st.over[e.kh]; over {
			continue
		}
		f(e.kh, e.rh)
	}
	for kh, e := range st.over {
		if !e.deleted && !e.mark {
			f(kh, e.rh)
		}
	}
}

// links returns the chain from its base to s, each link opened with s's
// keys (and authenticated when s was), and checks that they belong together.
func (s *Snapshot) links(ctx context.Context) ([]*Snapshot, error) {
	c := s.m.Chain
	out := []*Snapshot{s}
	cur := s
	for cur.m.Chain.Kind != ChainFull {
		if len(out) > c.Depth+1 || len(out) > 100000 {
			return nil, fmt.Errorf("%w: chain of %s is longer than its depth %d", ErrManifestInvalid, s.m.Ref(), c.Depth)
		}
		pc := cur.m.Chain
		dir := filepath.Join(filepath.Dir(s.dir), pc.Parent)
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, &RefError{Ref: s.m.Table + "/" + pc.Parent, Err: fmt.Errorf("chain link needed by %s: %w", s.m.Ref(), err)}
		}
		if s.auth != nil {
			if err := m.Authenticate(s.auth); err != nil {
				return nil, &RefError{Ref: m.Ref(), Err: fmt.Errorf("chain link needed by %s: %w", s.m.Ref(), err)}
			}
		}
		p := &Snapshot{dir: dir, m: m, keys: s.keys, auth: s.auth}
		mc := m.Chain
		if mc == nil || mc.Base != c.Base || mc.Depth != pc.Depth-1 || !slices.Equal(mc.Key, c.Key) || !slices.Equal(m.Schema, s.m.Schema) {
			return nil, &RefError{Ref: m.Ref(), Err: fmt.Errorf("%w: not the chain link %s expects (base, depth, key or schema differ)", ErrManifestTampered, s.m.Ref())}
		}
		out = append(out, p)
		cur = p
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	slices.Reverse(out)
	return out, nil
}

// loadState builds the chain state as of the last link.
func loadState(ctx context.Context, links []*Snapshot, alloc memory.Allocator) (*chainState, error) {
	st := &chainState{over: map[hash16]*overEntry{}}
	base := links[0]
	rr, err := base.newSeqReader(ctx, alloc, base.m.filesOf(KindIndex), indexSchema, true)
	if err != nil {
		return nil, err
	}
	st.base = make([]indexEntry, 0, base.m.Rows)
	for rr.Next() {
		rec := rr.RecordBatch()
		kc, rc := rec.Column(0).(*array.Binary), rec.Column(1).(*array.Binary)
		for i := 0; i < int(rec.NumRows()); i++ {
			var e indexEntry
			if len(kc.Value(i)) != 16 || len(rc.Value(i)) != 16 {
				rr.Release()
				return nil, &FileError{File: "index", Err: ErrManifestInvalid, Detail: base.m.Ref() + ": index entry of the wrong size"}
			}
			copy(e.kh[:], kc.Value(i))
			copy(e.rh[:], rc.Value(i))
			st.base = append(st.base, e)
		}
	}
	err = rr.Err()
	rr.Release()
	if err != nil {
		return nil, err
	}
	if int64(len(st.base)) != base.m.Rows {
		return nil, fmt.Errorf("%w: %s: index holds %d entries, table %d rows", ErrRowCount, base.m.Ref(), len(st.base), base.m.Rows)
	}
	if !slices.IsSortedFunc(st.base, func(a, b indexEntry) int { return bytes.Compare(a.kh[:], b.kh[:]) }) {
		return nil, fmt.Errorf("%w: %s: index not sorted", ErrManifestInvalid, base.m.Ref())
	}
	st.mark = make([]uint64, (len(st.base)+63)/64)
	schema, err := base.m.ArrowSchema()
	if err != nil {
		return nil, err
	}
	for _, l := range links[1:] {
		if l.m.Chain.Kind != ChainIncremental {
			continue
		}
		dr, err := l.newSeqReader(ctx, alloc, l.m.filesOf(KindDeletes), deletesSchema, true)
		if err != nil {
			return nil, err
		}
		for dr.Next() {
			kc := dr.RecordBatch().Column(0).(*array.Binary)
			for i := 0; i < kc.Len(); i++ {
				var kh hash16
				copy(kh[:], kc.Value(i))
				st.over[kh] = &overEntry{deleted: true}
			}
		}
		err = dr.Err()
		dr.Release()
		if err != nil {
			return nil, err
		}
		h, err := newRowHasher(schema, l.m.Chain.Key)
		if err != nil {
			return nil, err
		}
		var stored digestSum
		err = l.eachData(ctx, alloc, schema, func(rec arrow.RecordBatch) error {
			if err := h.reset(rec); err != nil {
				return err
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				kh, rh := h.hash(i)
				stored.add(rh)
				st.over[kh] = &overEntry{rh: rh}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if stored.sum() != l.m.Chain.StoredDigest || stored.rows != l.m.Chain.Stored {
			return nil, &RefError{Ref: l.m.Ref(), Err: fmt.Errorf("%w: stored rows differ from the manifest", ErrDigestMismatch)}
		}
	}
	return st, nil
}

func (s *Snapshot) eachData(ctx context.Context, alloc memory.Allocator, schema *arrow.Schema, f func(arrow.RecordBatch) error) error {
	rr, err := s.newSeqReader(ctx, alloc, s.m.DataFiles(), schema, true)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := f(rr.RecordBatch()); err != nil {
			return err
		}
	}
	return rr.Err()
}

// composedRecords streams the table as of this link (see the package doc).
//
// Note for the erasure ledger: filter the rows of the reader this returns
// (after the merge), exactly as for a full snapshot's Records; the digest
// check here is over the unfiltered composition.
func (s *Snapshot) composedRecords(ctx context.Context, alloc memory.Allocator) (array.RecordReader, error) {
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	links, err := s.links(ctx)
	if err != nil {
		return nil, err
	}
	st, err := loadState(ctx, links, alloc)
	if err != nil {
		return nil, err
	}
	schema, err := s.m.ArrowSchema()
	if err != nil {
		return nil, err
	}
	h, err := newRowHasher(schema, s.m.Chain.Key)
	if err != nil {
		return nil, err
	}
	r := &composedReader{ctx: ctx, alloc: alloc, s: s, links: links, st: st, schema: schema, h: h}
	r.refs.Store(1)
	return r, nil
}

type composedReader struct {
	refs   atomic.Int64
	ctx    context.Context
	alloc  memory.Allocator
	s      *Snapshot
	links  []*Snapshot
	next   int
	cur    *seqReader
	st     *chainState
	schema *arrow.Schema
	h      *rowHasher
	dig    digestSum
	rec    arrow.RecordBatch
	err    error
	done   bool
}

func (r *composedReader) Retain() { r.refs.Add(1) }
func (r *composedReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.close()
	}
}
func (r *composedReader) close() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.done = true
}
func (r *composedReader) Schema() *arrow.Schema          { return r.schema }
func (r *composedReader) RecordBatch() arrow.RecordBatch { return r.rec }
func (r *composedReader) Record() arrow.RecordBatch      { return r.rec }
func (r *composedReader) Err() error                     { return r.err }

func (r *composedReader) fail(err error) bool {
	r.err = err
	r.close()
	return false
}

func (r *composedReader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	for !r.done {
		if r.cur == nil {
			if r.next == len(r.links) {
				m := r.s.m
				r.close()
				if r.dig.rows != m.Rows {
					r.err = fmt.Errorf("%w: %s: the chain composes %d rows, the manifest says %d", ErrRowCount, m.Ref(), r.dig.rows, m.Rows)
				} else if r.dig.sum() != m.Digest {
					r.err = fmt.Errorf("%w: %s: the chain composes digest %s, the manifest says %s", ErrDigestMismatch, m.Ref(), r.dig.sum(), m.Digest)
				}
				return false
			}
			l := r.links[r.next]
			r.next++
			if len(l.m.DataFiles()) == 0 {
				continue
			}
			sr, err := l.newSeqReader(r.ctx, r.alloc, l.m.DataFiles(), r.schema, true)
			if err != nil {
				return r.fail(err)
			}
			r.cur = sr
		}
		if !r.cur.Next() {
			err := r.cur.Err()
			r.cur.Release()
			r.cur = nil
			if err != nil {
				return r.fail(err)
			}
			continue
		}
		rec, err := r.filter(r.cur.RecordBatch())
		if err != nil {
			return r.fail(err)
		}
		if rec != nil {
			r.rec = rec
			return true
		}
	}
	return false
}

// filter returns the live rows of rec (nil if none).
func (r *composedReader) filter(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	if err := r.h.reset(rec); err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	keep := make([]bool, n)
	kept := 0
	for i := 0; i < n; i++ {
		kh, rh := r.h.hash(i)
		if r.st.take(kh, rh) {
			keep[i] = true
			kept++
			r.dig.add(rh)
		}
	}
	return selectRows(rec, keep, kept, r.alloc)
}

// selectRows returns the rows of rec where keep is true (nil if none).
func selectRows(rec arrow.RecordBatch, keep []bool, kept int, alloc memory.Allocator) (arrow.RecordBatch, error) {
	n := len(keep)
	switch kept {
	case 0:
		return nil, nil
	case n:
		rec.Retain()
		return rec, nil
	}
	type run struct{ from, to int }
	var runs []run
	for i := 0; i < n; {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < n && keep[j] {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for c, col := range rec.Columns() {
		parts := make([]arrow.Array, len(runs))
		for k, rn := range runs {
			parts[k] = array.NewSlice(col, int64(rn.from), int64(rn.to))
		}
		var err error
		cols[c], err = array.Concatenate(parts, alloc)
		for _, p := range parts {
			p.Release()
		}
		if err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(kept)), nil
}

// ChainOptions configure a ChainWriter.
type ChainOptions struct {
	Key []string // the key columns (required)
	// FullEvery starts a new chain when the chain's full snapshot is at
	// least this old (0: never by age).
	FullEvery time.Duration
	// MaxLinks starts a new chain after this many links after the full
	// snapshot (0: DefaultMaxLinks).
	MaxLinks int
	// Changes: the rows given will be only those that may have changed
	// (a watermark incremental: WriteChanged, SeenKeys, DeleteKeys). The
	// link must continue a chain, else CreateChained returns an error
	// wrapping ErrCannotContinue (read the whole table then).
	Changes bool
}

// DefaultMaxLinks is the default ChainOptions.MaxLinks.
const DefaultMaxLinks = 30

// ChainWriter writes one night of a chained table: a full, incremental or
// unchanged link, whichever applies (see the package doc). Write every row
// of the table (any order); Commit decides. Always call Abort when done.
type ChainWriter struct {
	w     *Writer
	opts  Options
	copts ChainOptions
	kind  string
	prev  *Manifest
	st    *chainState
	h     *rowHasher

	total   digestSum // every row written tonight
	nulls   []int64
	entries []indexEntry    // full: every row
	added   map[hash16]bool // incremental: keys not in the previous link
	changed int64
	reason  string

	// Changes mode (chain_changes.go).
	kh        *rowHasher // over key-only records
	scanned   bool       // SeenKeys was given every key of the table
	missed    int64      // keys the key scan found that no link and no change has
	softDel   []hash16
	given     int64 // rows given to WriteChanged and DeleteKeys
	watermark string
}

// CreateChained starts tonight's link of opts.Table. It reads the latest
// snapshot of the table; when that is an authentic link of a chain with
// the same key and schema that may be continued, tonight's link continues
// it, else a full snapshot starts a new chain (Reason says why).
func CreateChained(ctx context.Context, opts Options, schema *arrow.Schema, copts ChainOptions) (*ChainWriter, error) {
	if len(copts.Key) == 0 {
		return nil, fmt.Errorf("%w: a chained snapshot needs key columns", ErrInvalidOptions)
	}
	if copts.MaxLinks <= 0 {
		copts.MaxLinks = DefaultMaxLinks
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h, err := newRowHasher(schema, copts.Key)
	if err != nil {
		return nil, err
	}
	c := &ChainWriter{opts: opts, copts: copts, kind: ChainFull, h: h, nulls: make([]int64, schema.NumFields())}
	c.reason = c.decide(ctx, schema)
	if copts.Changes && c.kind == ChainFull {
		return nil, fmt.Errorf("%w: table %s: %s", ErrCannotContinue, opts.Table, c.reason)
	}
	if copts.Changes {
		if err := c.startChanges(schema); err != nil {
			return nil, err
		}
	}
	if c.kind != ChainFull {
		links, err := c.prevSnap(ctx).links(ctx)
		if err == nil {
			c.st, err = loadState(ctx, links, opts.Alloc)
		}
		if err != nil {
			return nil, fmt.Errorf("snapshot: continuing the chain of %s: %w", c.prev.Ref(), err)
		}
		c.added = map[hash16]bool{}
		if copts.Changes { // start from the previous link's table
			s1, s2, err := parseDigest(c.prev.Digest)
			if err != nil {
				return nil, err
			}
			c.total = digestSum{s1: s1, s2: s2, rows: c.prev.Rows}
		}
	}
	w, err := Create(ctx, opts, schema)
	if err != nil {
		return nil, err
	}
	c.w = w
	w.chain = &Chain{Kind: c.kind, Key: slices.Clone(copts.Key), Base: w.id}
	if c.prev != nil && c.kind != ChainFull {
		w.chain.Base, w.chain.Parent, w.chain.Depth = c.prev.Chain.Base, c.prev.ID, c.prev.Chain.Depth+1
	}
	return c, nil
}

func (c *ChainWriter) prevSnap(ctx context.Context) *Snapshot {
	return &Snapshot{dir: filepath.Join(TableDir(c.opts.Store, c.opts.Table), c.prev.ID), m: c.prev, keys: c.opts.Keys, auth: c.opts.Auth}
}

// decide sets c.kind (and c.prev) and returns why tonight is a full snapshot.
func (c *ChainWriter) decide(ctx context.Context, schema *arrow.Schema) string {
	prev, err := Latest(c.opts.Store, c.opts.Table)
	if err != nil {
		return "no previous snapshot"
	}
	if err := prev.Authenticate(c.opts.Auth); err != nil {
		return "the previous snapshot does not authenticate"
	}
	c.prev = prev
	pc := prev.Chain
	switch {
	case pc == nil:
		return "the previous snapshot is not a chain link"
	case !slices.Equal(pc.Key, c.copts.Key):
		return "the key changed"
	case prev.CheckColumns(schema) != nil:
		return "the schema changed"
	case pc.Depth+1 > c.copts.MaxLinks:
		return fmt.Sprintf("the chain has %d links (max_incrementals)", pc.Depth)
	}
	if c.copts.FullEvery > 0 {
		base, err := ReadManifest(filepath.Join(TableDir(c.opts.Store, c.opts.Table), pc.Base))
		if err != nil {
			return "the chain's full snapshot cannot be read"
		}
		if c.opts.Now().Sub(base.Created) >= c.copts.FullEvery {
			return "the chain's full snapshot is older than full_every_days"
		}
	}
	c.kind = ChainIncremental
	return ""
}

// Kind returns the kind of link being written so far ("full", or
// "incremental" until Commit finds nothing changed).
func (c *ChainWriter) Kind() string { return c.kind }

// Reason says why the link is a full snapshot ("" when it continues a chain).
func (c *ChainWriter) Reason() string { return c.reason }

// ID returns the snapshot id.
func (c *ChainWriter) ID() string { return c.w.ID() }

// Reject stores a rejected row.
func (c *ChainWriter) Reject(r Reject) error { return c.w.Reject(r) }

// Abort discards the link.
func (c *ChainWriter) Abort() error { return c.w.Abort() }

// Write takes every row of the table, in any order.
func (c *ChainWriter) Write(rec arrow.RecordBatch) error {
	if err := c.w.checkRecord(rec); err != nil {
		return err
	}
	if err := c.h.reset(rec); err != nil {
		return err
	}
	for i, col := range rec.Columns() {
		c.nulls[i] += int64(col.NullN())
	}
	n := int(rec.NumRows())
	if c.kind == ChainFull {
		for i := 0; i < n; i++ {
			kh, rh := c.h.hash(i)
			c.total.add(rh)
			c.entries = append(c.entries, indexEntry{kh, rh})
		}
		return c.w.Write(rec)
	}
	keep := make([]bool, n)
	kept := 0
	for i := 0; i < n; i++ {
		kh, rh := c.h.hash(i)
		c.total.add(rh)
		pos, e := c.st.find(kh)
		var old hash16
		found := false
		switch {
		case e != nil && !e.deleted:
			if e.mark {
				return c.dup(i)
			}
			e.mark, old, found = true, e.rh, true
		case pos >= 0 && e == nil:
			if c.st.mark[pos/64]&(1<<(pos%64)) != 0 {
				return c.dup(i)
			}
			c.st.mark[pos/64] |= 1 << (pos % 64)
			old, found = c.st.base[pos].rh, true
		default:
			if c.added[kh] {
				return c.dup(i)
			}
			c.added[kh] = true
		}
		if !found || old != rh {
			keep[i] = true
			kept++
			if found {
				c.changed++
			}
		}
	}
	sel, err := selectRows(rec, keep, kept, c.opts.Alloc)
	if err != nil || sel == nil {
		return err
	}
	defer sel.Release()
	return c.w.Write(sel)
}

func (c *ChainWriter) dup(row int) error {
	return fmt.Errorf("%w: table %s: key columns %v are not unique (a second row with the same key in batch row %d); declare a key that identifies rows", ErrDuplicateKey, c.opts.Table, c.copts.Key, row+1)
}

// Commit writes tonight's link. rowsRead must equal the rows given to Write
// plus the rejects.
func (c *ChainWriter) Commit(ctx context.Context, rowsRead int64) (*Manifest, error) {
	w := c.w
	if c.copts.Changes {
		return c.commitChanges(ctx, rowsRead)
	}
	if rowsRead != c.total.rows+w.rejected {
		return nil, fmt.Errorf("%w: read %d, written %d, rejected %d", ErrCountMismatch, rowsRead, c.total.rows, w.rejected)
	}
	switch c.kind {
	case ChainFull:
		slices.SortFunc(c.entries, func(a, b indexEntry) int { return bytes.Compare(a.kh[:], b.kh[:]) })
		for i := 1; i < len(c.entries); i++ {
			if c.entries[i].kh == c.entries[i-1].kh {
				return nil, fmt.Errorf("%w: table %s: key columns %v are not unique; declare a key that identifies rows", ErrDuplicateKey, c.opts.Table, c.copts.Key)
			}
		}
		if err := c.writeHashes(KindIndex, len(c.entries), func(i int) (hash16, *hash16) { return c.entries[i].kh, &c.entries[i].rh }); err != nil {
			return nil, err
		}
	default:
		var deleted []hash16
		c.st.unmarked(func(kh, _ hash16) { deleted = append(deleted, kh) })
		slices.SortFunc(deleted, func(a, b hash16) int { return bytes.Compare(a[:], b[:]) })
		if w.rows == 0 && len(deleted) == 0 && w.rejected == 0 {
			if c.total.sum() != c.prev.Digest || c.total.rows != c.prev.Rows {
				return nil, fmt.Errorf("%w: table %s: no row changed but the digest differs from %s", ErrDigestMismatch, c.opts.Table, c.prev.Ref())
			}
			c.kind = ChainUnchanged
			w.chain.Kind = ChainUnchanged
		} else if err := c.writeHashes(KindDeletes, len(deleted), func(i int) (hash16, *hash16) { return deleted[i], nil }); err != nil {
			return nil, err
		}
		w.chain.Deleted = int64(len(deleted))
	}
	w.link = &linkTotals{rows: c.total.rows, digest: c.total.sum(), nulls: c.nulls}
	w.chain.Watermark = c.watermark
	return w.Commit(ctx, rowsRead)
}

// Changed returns the rows of tonight that changed an existing key.
func (c *ChainWriter) Changed() int64 { return c.changed }

// writeHashes writes n key hashes (and row hashes, for the index) as
// encrypted files of kind.
func (c *ChainWriter) writeHashes(kind string, n int, at func(i int) (hash16, *hash16)) error {
	if n == 0 {
		return nil
	}
	w := c.w
	schema := deletesSchema
	if kind == KindIndex {
		schema = indexSchema
	}
	per := int(w.opts.MaxRowsPerFile)
	for f, start := 0, 0; start < n; f, start = f+1, start+per {
		end := min(n, start+per)
		p, err := w.openFile(kind, f, schema)
		if err != nil {
			return w.fail(err)
		}
		for b := start; b < end; b += 64 * 1024 {
			be := min(end, b+64*1024)
			kb := array.NewBinaryBuilder(w.opts.Alloc, arrow.BinaryTypes.Binary)
			rb := array.NewBinaryBuilder(w.opts.Alloc, arrow.BinaryTypes.Binary)
			for i := b; i < be; i++ {
				kh, rh := at(i)
				kb.Append(kh[:])
				if rh != nil {
					rb.Append(rh[:])
				}
			}
			cols := []arrow.Array{kb.NewArray()}
			if kind == KindIndex {
				cols = append(cols, rb.NewArray())
			}
			kb.Release()
			rb.Release()
			rec := array.NewRecordBatch(schema, cols, int64(be-b))
			for _, col := range cols {
				col.Release()
			}
			err := p.write(rec, 0, rec.NumRows())
			rec.Release()
			if err != nil {
				p.abort()
				return w.fail(err)
			}
		}
		entry, err := p.close()
		if err != nil {
			return w.fail(err)
		}
		w.files = append(w.files, entry)
	}
	return nil
}

// linkTotals are the whole table's figures for a chain link's manifest.
type linkTotals struct {
	rows   int64
	digest string
	nulls  []int64 // nil: unknown
}

// applyChain turns the manifest of the rows this writer stored into the
// manifest of the table as of tonight.
func (w *Writer) applyChain(m *Manifest) {
	c := *w.chain
	c.Stored, c.StoredDigest = m.Rows, m.Digest
	m.Chain = &c
	if w.link == nil {
		return
	}
	m.Rows, m.Digest = w.link.rows, w.link.digest
	if w.link.nulls != nil {
		for i, n := range w.link.nulls {
			m.NullCounts[w.schema.Field(i).Name] = n
		}
	} else {
		m.NullCounts = nil
	}
}

// ChainNeeds returns the ids of the snapshots (of one table) that the
// snapshots in keep need: themselves and every link of their chains.
// Retention must not delete any of them.
func ChainNeeds(ms []*Manifest, keep []string) map[string]bool {
	byID := make(map[string]*Manifest, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
	}
	need := map[string]bool{}
	for _, id := range keep {
		for cur := byID[id]; cur != nil && !need[cur.ID]; {
			need[cur.ID] = true
			if cur.Chain == nil || cur.Chain.Kind == ChainFull {
				break
			}
			cur = byID[cur.Chain.Parent]
		}
	}
	return need
}
