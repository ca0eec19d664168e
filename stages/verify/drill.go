package verify

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// drill restores the snapshot as plain Parquet into a private temporary
// directory, reads the copy back with an independent reader and compares
// rows and digest with what the snapshot reader found (want). The
// directory is removed afterwards; if the process is killed first, the next
// Vigil command removes it (cmd/vigil clearLeftovers).
func (c *checker) drill(want *snapshot.Digester) error {
	// The pid in the name lets a later Vigil command tell the directory of
	// a killed drill (removed before it does anything) from a running one.
	tmp, err := os.MkdirTemp(c.opts.TempDir, fmt.Sprintf("vigil-drill-%d-", os.Getpid()))
	if err != nil {
		if localResource(err) {
			return notVerified("restore drill", err)
		}
		c.res.add(KindRestore, "", "cannot create the drill directory: %v", err)
		return nil
	}
	defer os.RemoveAll(tmp)
	r, err := snapshot.Restore(c.ctx, c.s, tmp, snapshot.FormatParquet)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		if localResource(err) {
			return notVerified("restore drill", err)
		}
		c.res.add(KindRestore, "", "restore failed: %v", err)
		return nil
	}
	rows, digest, err := c.reread(r.Path)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		if localResource(err) {
			return notVerified("restore drill", err)
		}
		c.res.add(KindRestore, "", "cannot re-read the restored copy: %v", err)
		return nil
	}
	if rows != want.Rows() {
		c.res.add(KindRestore, "", "restored copy holds %d rows, the snapshot %d", rows, want.Rows())
	}
	if digest != want.Sum() {
		c.res.add(KindRestore, "", "restored copy has content digest %s, the snapshot %s", digest, want.Sum())
	}
	c.res.Checks = append(c.res.Checks, CheckRestore)
	return nil
}

func (c *checker) reread(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	pf, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return 0, "", err
	}
	defer pf.Close()
	pr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024}, c.opts.Alloc)
	if err != nil {
		return 0, "", err
	}
	rr, err := pr.GetRecordReader(c.ctx, nil, nil)
	if err != nil {
		return 0, "", err
	}
	defer rr.Release()
	d, err := snapshot.NewDigester(c.schema)
	if err != nil {
		return 0, "", err
	}
	for rr.Next() {
		if err := d.Add(rr.RecordBatch()); err != nil {
			return 0, "", err
		}
	}
	if err := rr.Err(); err != nil {
		return 0, "", err
	}
	return d.Rows(), d.Sum(), nil
}
