package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// Chain problems and checks.
const (
	KindChain  Kind = "chain" // a link of the chain is missing, not authentic, or the chain composes another table
	CheckChain      = "chain" // every link present and authentic, composed rows and digest equal the manifest
)

// checkChain verifies a chain link: its own files against what the link
// says it stores (linkData: digest of its data files), then the whole
// chain: every link from the full snapshot opened and authenticated, its
// files checked, and the composed table's rows, digest and NULL counts
// compared with the manifest. It returns the composed table's digester (nil
// when the chain does not compose) for the restore drill.
func (c *checker) checkChain(linkData *snapshot.Digester) (*snapshot.Digester, error) {
	m := c.m
	if linkData.Rows() != m.Chain.Stored || linkData.Sum() != m.Chain.StoredDigest {
		c.res.add(KindDigest, "", "the link's data files hold %d rows with digest %s, the manifest says %d rows %s",
			linkData.Rows(), linkData.Sum(), m.Chain.Stored, m.Chain.StoredDigest)
	}
	s, err := snapshot.Open(c.ctx, c.store, m.Ref(), c.keys, c.auth)
	if err != nil {
		if c.ctx.Err() != nil {
			return nil, c.ctx.Err()
		}
		c.res.add(KindChain, snapshot.ManifestName, "%v", err)
		return nil, nil
	}
	rr, err := s.Records(c.ctx, c.opts.Alloc)
	if err != nil {
		if c.ctx.Err() != nil {
			return nil, c.ctx.Err()
		}
		c.res.add(KindChain, "", "%s: %v", m.Chain.Kind, err)
		return nil, nil
	}
	defer rr.Release()
	d, err := snapshot.NewDigester(c.schema)
	if err != nil {
		return nil, err
	}
	nulls := make([]int64, c.schema.NumFields())
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := d.Add(rec); err != nil {
			return nil, err
		}
		for i, col := range rec.Columns() {
			nulls[i] += int64(col.NullN())
		}
	}
	if err := rr.Err(); err != nil { // includes composed rows and digest differing from the manifest
		if c.ctx.Err() != nil {
			return nil, c.ctx.Err()
		}
		c.res.add(KindChain, "", "%v", err)
		return nil, nil
	}
	if m.NullCounts != nil {
		var diffs []string
		for i, f := range c.schema.Fields() {
			if want, ok := m.NullCounts[f.Name]; !ok || want != nulls[i] {
				diffs = append(diffs, fmt.Sprintf("%s: %d, manifest says %d", f.Name, nulls[i], want))
			}
		}
		sort.Strings(diffs)
		if len(diffs) > 0 {
			c.res.add(KindNullCounts, "", "%s", strings.Join(diffs, "; "))
		}
	}
	c.res.RowsChecked = d.Rows()
	c.res.Checks = append(c.res.Checks, CheckChain)
	return d, nil
}
