package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// checker verifies one snapshot directory.
type checker struct {
	ctx   context.Context
	store string
	dir   string
	keys  snapshot.KeyWrapper
	auth  snapshot.Authenticator
	opts  Options
	res   *Result

	s      *snapshot.Snapshot
	m      *snapshot.Manifest
	schema *arrow.Schema
	deks   map[string][]byte
}

func (c *checker) wipe() {
	for _, k := range c.deks {
		clear(k)
	}
}

func (c *checker) run() error {
	defer c.wipe()
	m, err := snapshot.ReadManifest(c.dir)
	if err != nil {
		c.manifestProblem(err)
		return nil
	}
	c.m = m
	if c.s, err = snapshot.OpenUnverified(c.ctx, c.store, m.Ref(), c.keys); err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		c.manifestProblem(err)
		return nil
	}
	authErr := m.Authenticate(c.auth)

	// Unwrap every data key first: if the tag and all keys fail, the keyset
	// is wrong and every other problem would be noise.
	c.deks = map[string][]byte{}
	var unwrapFailed []snapshot.File
	for _, f := range m.Files {
		dek, err := c.s.DataKey(f.Name)
		if err != nil {
			unwrapFailed = append(unwrapFailed, f)
			continue
		}
		c.deks[f.Name] = dek
	}
	if authErr != nil && len(unwrapFailed) == len(m.Files) {
		c.res.add(KindWrongKey, "", "the manifest tag and all %d data keys fail with this keyset: wrong keyset, key file or passphrase (or the snapshot was written with other keys)", len(m.Files))
		return nil
	}
	if authErr != nil {
		c.res.add(KindManifestTampered, snapshot.ManifestName, "authentication tag does not match: the manifest was changed after it was written")
	} else {
		c.res.Checks = append(c.res.Checks, CheckManifest)
	}
	for _, f := range unwrapFailed {
		c.res.add(KindWrongKey, f.Name, "data key (key id %q) cannot be unwrapped with this keyset", f.KeyID)
	}
	c.unexpectedFiles()

	// Integrity: presence, size and SHA-256 of every file.
	intact := map[string]bool{}
	for _, f := range m.Files {
		err := c.s.CheckFile(c.ctx, f.Name)
		if err != nil {
			if c.ctx.Err() != nil {
				return c.ctx.Err()
			}
			c.fileProblem(f.Name, err)
			continue
		}
		intact[f.Name] = true
	}
	c.res.FilesChecked = len(intact)
	if len(intact) == len(m.Files) {
		c.res.Checks = append(c.res.Checks, CheckFiles)
	}

	// Decrypt every intact file with a key.
	c.schema, err = m.ArrowSchema()
	if err != nil {
		c.res.add(KindSchema, snapshot.ManifestName, "%v", err)
		return nil
	}
	total, err := snapshot.NewDigester(c.schema)
	if err != nil {
		c.res.add(KindSchema, snapshot.ManifestName, "%v", err)
		return nil
	}
	nulls := make([]int64, c.schema.NumFields())
	var goodData []snapshot.File
	readable := 0
	for _, f := range m.Files {
		if !intact[f.Name] || c.deks[f.Name] == nil {
			continue
		}
		d, fileNulls, err := c.readFile(f)
		if err != nil {
			if c.ctx.Err() != nil {
				return c.ctx.Err()
			}
			c.fileProblem(f.Name, err)
			continue
		}
		readable++
		if f.Kind == snapshot.KindData {
			total.Merge(d)
			for i, n := range fileNulls {
				nulls[i] += n
			}
			goodData = append(goodData, f)
		}
	}
	c.res.RowsChecked = total.Rows()
	dataFiles := m.DataFiles()
	allData := len(goodData) == len(dataFiles)
	if readable == len(m.Files) {
		c.res.Checks = append(c.res.Checks, CheckDecrypt)
	}
	table := total // the whole table's rows (for the restore drill)
	if allData && m.Chain != nil && m.Chain.Kind != snapshot.ChainFull {
		// A chain link: its files hold the changes; the table is composed (chain.go).
		if table, err = c.checkChain(total); err != nil {
			return err
		}
	} else if allData {
		c.compareContent(total, nulls)
	} else {
		c.res.Skipped = append(c.res.Skipped, fmt.Sprintf("digest and NULL counts not compared: %d of %d data files unreadable", len(dataFiles)-len(goodData), len(dataFiles)))
	}

	if c.opts.SkipDuckDB {
		c.res.Skipped = append(c.res.Skipped, "DuckDB check skipped by option")
	} else if len(goodData) == 0 {
		c.res.Skipped = append(c.res.Skipped, "DuckDB check not run: no readable data file")
	} else if err := c.duckCheck(goodData, total); err != nil {
		return err
	}

	if c.opts.RestoreDrill {
		if !allData {
			c.res.Skipped = append(c.res.Skipped, "restore drill not run: data files unreadable")
		} else if table == nil {
			c.res.Skipped = append(c.res.Skipped, "restore drill not run: the chain does not compose")
		} else if err := c.drill(table); err != nil {
			return err
		}
	}
	return nil
}

// manifestProblem reports a manifest that cannot be read or parsed.
func (c *checker) manifestProblem(err error) {
	detail := err.Error()
	var fe *snapshot.FileError
	if errors.As(err, &fe) {
		detail = fe.Detail
	}
	switch {
	case errors.Is(err, snapshot.ErrMissingFile):
		c.res.add(KindMissingFile, snapshot.ManifestName, "the manifest is missing")
	case errors.Is(err, snapshot.ErrManifestInvalid), errors.Is(err, snapshot.ErrManifestTampered):
		c.res.add(KindManifestTampered, snapshot.ManifestName, "the manifest is not a valid snapshot manifest: %s", detail)
	default:
		c.res.add(KindIO, snapshot.ManifestName, "%v", err)
	}
}

// fileProblem reports an error about one file under its kind.
func (c *checker) fileProblem(name string, err error) {
	kind := KindIO
	switch {
	case errors.Is(err, snapshot.ErrMissingFile):
		kind = KindMissingFile
	case errors.Is(err, snapshot.ErrTruncated):
		kind = KindTruncated
	case errors.Is(err, snapshot.ErrChecksum):
		kind = KindChecksum
	case errors.Is(err, snapshot.ErrKeyUnwrap):
		kind = KindWrongKey
	case errors.Is(err, snapshot.ErrDecrypt):
		kind = KindDecrypt
	case errors.Is(err, snapshot.ErrSchemaMismatch):
		kind = KindSchema
	case errors.Is(err, snapshot.ErrRowCount):
		kind = KindRowCount
	}
	detail := err.Error()
	var fe *snapshot.FileError
	if errors.As(err, &fe) {
		detail = fe.Err.Error()
		if fe.Detail != "" {
			detail += ": " + fe.Detail
		}
	}
	detail = strings.TrimPrefix(detail, "snapshot: ")
	if kind == KindMissingFile {
		detail = "named by the manifest but not in the snapshot directory"
	}
	c.res.add(kind, name, "%s", detail)
}

// unexpectedFiles reports files in the snapshot directory that the
// manifest does not name (leftovers of an interrupted Rewrap, .tmp-*, are
// ignored).
func (c *checker) unexpectedFiles() {
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		c.res.add(KindIO, "", "cannot list the snapshot directory: %v", err)
		return
	}
	for _, e := range ents {
		name := e.Name()
		if name == snapshot.ManifestName || strings.HasPrefix(name, ".tmp-") {
			continue
		}
		if _, ok := c.m.File(name); !ok {
			c.res.add(KindUnexpectedFile, name, "not named by the manifest")
		}
	}
}

// readFile decrypts one file completely and returns the digest and NULL
// counts of its rows (data files).
func (c *checker) readFile(f snapshot.File) (*snapshot.Digester, []int64, error) {
	rr, err := c.s.OpenFile(c.ctx, f.Name, c.opts.Alloc)
	if err != nil {
		return nil, nil, err
	}
	defer rr.Release()
	d, err := snapshot.NewDigester(rr.Schema())
	if err != nil {
		return nil, nil, err
	}
	nulls := make([]int64, rr.Schema().NumFields())
	for rr.Next() {
		rec := rr.RecordBatch()
		if f.Kind == snapshot.KindData {
			if err := d.Add(rec); err != nil {
				return nil, nil, err
			}
			for i, col := range rec.Columns() {
				nulls[i] += int64(col.NullN())
			}
		}
	}
	if err := rr.Err(); err != nil {
		return nil, nil, err
	}
	return d, nulls, nil
}

// compareContent compares rows, digest and NULL counts of all data files
// with the manifest.
func (c *checker) compareContent(total *snapshot.Digester, nulls []int64) {
	m := c.m
	if total.Rows() != m.Rows {
		c.res.add(KindRowCount, "", "read %d rows, manifest says %d", total.Rows(), m.Rows)
	}
	if got := total.Sum(); got != m.Digest {
		c.res.add(KindDigest, "", "content digest %s, manifest says %s", got, m.Digest)
	}
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
