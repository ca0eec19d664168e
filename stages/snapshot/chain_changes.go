package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// Watermark incrementals: the rows given are those that may have changed.
//
// The composed digest of the night is the previous link's digest minus
// the row hashes of the old versions of changed and deleted rows plus the
// row hashes of the new versions (the digest is a sum); the old row
// hashes come from the chain's index. So a watermark night reads and
// hashes only the changed rows, and the keys when deletions are detected
// by a key comparison.

var (
	// ErrCannotContinue means a watermark night cannot continue the chain
	// (no chain yet, the chain is due for a full snapshot, schema or key
	// changed): read the whole table.
	ErrCannotContinue = errors.New("snapshot: the chain cannot be continued; take a full snapshot")
	// ErrWatermarkMissed means the key comparison found rows that no link
	// holds and no change brought: the watermark missed them (e.g. a row
	// written with an older watermark value by a long transaction). Take a
	// full snapshot.
	ErrWatermarkMissed = errors.New("snapshot: the watermark missed rows")
)

// PreviousWatermark returns the watermark recorded by the latest snapshot
// of opts.Table, if it is an authentic chain link ("" otherwise).
func PreviousWatermark(opts Options) string {
	m, err := Latest(opts.Store, opts.Table)
	if err != nil || m.Chain == nil || m.Authenticate(opts.Auth) != nil {
		return ""
	}
	return m.Chain.Watermark
}

func (c *ChainWriter) startChanges(schema *arrow.Schema) error {
	fields := make([]arrow.Field, len(c.copts.Key))
	for i, k := range c.copts.Key {
		fields[i] = schema.Field(schema.FieldIndices(k)[0])
	}
	h, err := newRowHasher(arrow.NewSchema(fields, nil), c.copts.Key)
	if err != nil {
		return err
	}
	c.kh = h
	return nil
}

// SetWatermark records the source's watermark as of this night; it is
// committed with the link (and only then trusted by the next night).
func (c *ChainWriter) SetWatermark(w string) { c.watermark = w }

// Continues reports whether tonight's link continues a chain.
func (c *ChainWriter) Continues() bool { return c.kind != ChainFull }

// Depth returns tonight's depth in the chain (0 for a full snapshot).
func (c *ChainWriter) Depth() int { return c.w.chain.Depth }

// WriteChanged takes rows that may have changed since the previous link
// (rows that did not change are skipped). Changes mode only.
func (c *ChainWriter) WriteChanged(rec arrow.RecordBatch) error {
	if !c.copts.Changes {
		return fmt.Errorf("%w: WriteChanged needs ChainOptions.Changes", ErrInvalidOptions)
	}
	if err := c.w.checkRecord(rec); err != nil {
		return err
	}
	if err := c.h.reset(rec); err != nil {
		return err
	}
	n := int(rec.NumRows())
	keep := make([]bool, n)
	kept := 0
	for i := 0; i < n; i++ {
		kh, rh := c.h.hash(i)
		c.given++
		if c.added[kh] {
			return c.dup(i)
		}
		old, live := c.liveHash(kh)
		if live && old == rh {
			continue // re-read by the overlap, unchanged
		}
		c.added[kh] = true
		keep[i] = true
		kept++
		if live {
			c.total.sub(old)
			c.changed++
		}
		c.total.add(rh)
	}
	sel, err := selectRows(rec, keep, kept, c.opts.Alloc)
	if err != nil || sel == nil {
		return err
	}
	defer sel.Release()
	return c.w.Write(sel)
}

func (c *ChainWriter) liveHash(kh hash16) (hash16, bool) {
	pos, e := c.st.find(kh)
	switch {
	case e != nil:
		return e.rh, !e.deleted
	case pos >= 0:
		return c.st.base[pos].rh, true
	}
	return hash16{}, false
}

// SeenKeys takes the keys of every row of the table (records of the key
// columns, in key order) read in the same snapshot as the changes: live
// keys not seen are deleted at Commit. Call it for the whole table or not
// at all.
func (c *ChainWriter) SeenKeys(rec arrow.RecordBatch) error {
	if err := c.kh.reset(rec); err != nil {
		return err
	}
	c.scanned = true
	for i := 0; i < int(rec.NumRows()); i++ {
		kh, _ := c.kh.hash(i)
		if c.added[kh] {
			continue
		}
		pos, e := c.st.find(kh)
		switch {
		case e != nil && !e.deleted:
			e.mark = true
		case e == nil && pos >= 0:
			c.st.mark[pos/64] |= 1 << (pos % 64)
		default:
			c.missed++
		}
	}
	return nil
}

// DeleteKeys takes the keys (records of the key columns) of rows marked
// deleted in the source (soft deletes); they count as rows read.
func (c *ChainWriter) DeleteKeys(rec arrow.RecordBatch) error {
	if err := c.kh.reset(rec); err != nil {
		return err
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		kh, _ := c.kh.hash(i)
		c.given++
		if c.added[kh] {
			return c.dup(i)
		}
		if old, live := c.liveHash(kh); live {
			c.added[kh] = true // handled
			c.total.sub(old)
			c.softDel = append(c.softDel, kh)
		}
	}
	return nil
}

func (c *ChainWriter) commitChanges(ctx context.Context, rowsRead int64) (*Manifest, error) {
	w := c.w
	if rowsRead != c.given+w.rejected {
		return nil, fmt.Errorf("%w: read %d, given %d, rejected %d", ErrCountMismatch, rowsRead, c.given, w.rejected)
	}
	if c.missed > 0 {
		return nil, fmt.Errorf("%w: table %s: %d rows exist that neither the chain nor tonight's changes hold", ErrWatermarkMissed, c.opts.Table, c.missed)
	}
	deleted := c.softDel
	if c.scanned {
		c.st.unmarked(func(kh, rh hash16) {
			if !c.added[kh] {
				deleted = append(deleted, kh)
				c.total.sub(rh)
			}
		})
	}
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
	w.chain.Watermark = c.watermark
	w.link = &linkTotals{rows: c.total.rows, digest: c.total.sum()}
	return w.Commit(ctx, rowsRead)
}

// parseDigest is the inverse of formatDigest.
func parseDigest(d string) (s1, s2 uint64, err error) {
	if !digestPattern.MatchString(d) {
		return 0, 0, fmt.Errorf("bad digest %q", d)
	}
	hexs := d[len(DigestPrefix):]
	if s1, err = strconv.ParseUint(hexs[:16], 16, 64); err == nil {
		s2, err = strconv.ParseUint(hexs[16:], 16, 64)
	}
	return s1, s2, err
}
