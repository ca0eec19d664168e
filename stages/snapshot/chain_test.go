package snapshot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var chainSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

// table is a night's content: id → version (the row's values derive from both).
type table map[int64]int

func (tb table) clone() table {
	out := table{}
	for k, v := range tb {
		out[k] = v
	}
	return out
}

// records returns the table as batches of 700 rows in a random order.
func (tb table) records(alloc memory.Allocator, seed uint64) []arrow.RecordBatch {
	ids := make([]int64, 0, len(tb))
	for id := range tb {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	var out []arrow.RecordBatch
	for start := 0; start < len(ids); start += 700 {
		b := array.NewRecordBuilder(alloc, chainSchema)
		for _, id := range ids[start:min(len(ids), start+700)] {
			v := tb[id]
			b.Field(0).(*array.Int64Builder).Append(id)
			if (id+int64(v))%13 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("客户 %d v%d", id, v))
			}
			b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(id*100 + int64(v)))
			b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(id * 1_000_000))
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}

func (tb table) digest(t *testing.T) string {
	d, _ := NewDigester(chainSchema)
	for _, rec := range tb.records(memory.DefaultAllocator, 0) {
		if err := d.Add(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	return d.Sum()
}

func writeNight(t *testing.T, opts Options, copts ChainOptions, tb table, seed uint64) (*Manifest, error) {
	t.Helper()
	ctx := context.Background()
	w, err := CreateChained(ctx, opts, chainSchema, copts)
	if err != nil {
		return nil, err
	}
	defer w.Abort()
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	var werr error
	for _, rec := range tb.records(opts.Alloc, seed) {
		if werr == nil {
			werr = w.Write(rec)
		}
		rec.Release()
	}
	if werr != nil {
		return nil, werr
	}
	return w.Commit(ctx, int64(len(tb)))
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		fi, _ := e.Info()
		n += fi.Size()
	}
	return n
}

// composed reads a snapshot's Records and returns rows and digest.
func composed(t *testing.T, opts Options, ref string) (int64, string, error) {
	t.Helper()
	s, err := Open(context.Background(), opts.Store, ref, opts.Keys, opts.Auth)
	if err != nil {
		return 0, "", err
	}
	rr, err := s.Records(context.Background(), opts.Alloc)
	if err != nil {
		return 0, "", err
	}
	defer rr.Release()
	d, _ := NewDigester(chainSchema)
	for rr.Next() {
		if err := d.Add(rr.RecordBatch()); err != nil {
			t.Fatal(err)
		}
	}
	return d.Rows(), d.Sum(), rr.Err()
}

func TestChainNights(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	opts := testOptions(t, t.TempDir())
	opts.Alloc = mem
	now := fixedNow
	opts.Now = func() time.Time { return now }
	copts := ChainOptions{Key: []string{"id"}, MaxLinks: 3, FullEvery: 7 * 24 * time.Hour}
	night := func(tb table, seed uint64) *Manifest {
		t.Helper()
		now = now.Add(24 * time.Hour)
		m, err := writeNight(t, opts, copts, tb, seed)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != int64(len(tb)) || m.Digest != tb.digest(t) {
			t.Fatalf("%s: manifest says %d rows %s, the table has %d rows %s", m.Chain.Kind, m.Rows, m.Digest, len(tb), tb.digest(t))
		}
		rows, dg, err := composed(t, opts, m.Ref())
		if err != nil || rows != int64(len(tb)) || dg != m.Digest {
			t.Fatalf("%s %s composes %d rows %s (%v), want %d %s", m.Chain.Kind, m.Ref(), rows, dg, err, len(tb), m.Digest)
		}
		return m
	}
	const n = 20000
	tb := table{}
	for i := int64(1); i <= n; i++ {
		tb[i] = 0
	}
	full := night(tb, 1)
	if full.Chain.Kind != ChainFull || len(full.filesOf(KindIndex)) != 1 || full.Chain.Base != full.ID {
		t.Fatalf("first night: %+v", full.Chain)
	}
	fullSize := dirSize(t, filepath.Join(TableDir(opts.Store, opts.Table), full.ID))

	// Same rows in another order: unchanged, a manifest only.
	same := night(tb, 2)
	sameSize := dirSize(t, filepath.Join(TableDir(opts.Store, opts.Table), same.ID))
	if same.Chain.Kind != ChainUnchanged || len(same.Files) != 0 || same.Chain.Parent != full.ID {
		t.Fatalf("unchanged night: %+v, %d files", same.Chain, len(same.Files))
	}
	if sameSize*100 >= fullSize {
		t.Errorf("unchanged night adds %d bytes, full snapshot %d: not under 1%%", sameSize, fullSize)
	}
	t.Logf("full %d bytes, unchanged %d bytes (%.3f%%)", fullSize, sameSize, 100*float64(sameSize)/float64(fullSize))

	// 1% changed, 0.1% deleted, 0.5% added.
	tb2 := tb.clone()
	for i := int64(1); i <= n/100; i++ {
		tb2[i*97%n+1]++
	}
	var deleted int
	for i := int64(1); deleted < n/1000; i++ {
		id := i*7919%n + 1
		if tb2[id] == 0 {
			delete(tb2, id)
			deleted++
		}
	}
	for i := int64(n + 1); i <= n+n/200; i++ {
		tb2[i] = 0
	}
	inc := night(tb2, 3)
	if inc.Chain.Kind != ChainIncremental || inc.Chain.Deleted != n/1000 || inc.Chain.Stored != n/100+n/200 || inc.Chain.Depth != 2 {
		t.Fatalf("incremental night: %+v", inc.Chain)
	}
	if stored := inc.Chain.Stored + inc.Chain.Deleted; stored*100 > 2*int64(len(tb2)) {
		t.Errorf("incremental stores %d rows and keys of %d: more than 2%%", stored, len(tb2))
	}
	incSize := dirSize(t, filepath.Join(TableDir(opts.Store, opts.Table), inc.ID))
	t.Logf("incremental %d bytes (%.2f%% of full)", incSize, 100*float64(incSize)/float64(fullSize))

	// A deleted key comes back, another row changes again: depth 3.
	tb3 := tb2.clone()
	for id := range tb {
		if _, ok := tb3[id]; !ok {
			tb3[id] = 5
			break
		}
	}
	tb3[97%n+1]++
	inc2 := night(tb3, 4)
	if inc2.Chain.Kind != ChainIncremental || inc2.Chain.Depth != 3 || inc2.Chain.Stored != 2 || inc2.Chain.Deleted != 0 {
		t.Fatalf("second incremental: %+v", inc2.Chain)
	}
	// MaxLinks 3 reached: a new full snapshot.
	full2 := night(tb3, 5)
	if full2.Chain.Kind != ChainFull {
		t.Fatalf("after max links: %+v", full2.Chain)
	}

	// The restore path composes too.
	s, err := Open(context.Background(), opts.Store, inc2.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Restore(context.Background(), s, t.TempDir(), FormatParquet)
	if err != nil || r.Rows != int64(len(tb3)) {
		t.Fatalf("restore: %+v %v", r, err)
	}

	// Retention keeps every link the kept snapshots need.
	deletedRefs, err := Prune(opts.Store, opts.Table, 2, opts.Auth) // keeps full2 and inc2: inc2 needs full, same and inc
	if err != nil || len(deletedRefs) != 0 {
		t.Fatalf("prune deleted %v (%v)", deletedRefs, err)
	}
	if rows, _, err := composed(t, opts, inc2.Ref()); err != nil || rows != int64(len(tb3)) {
		t.Fatalf("after prune: %d %v", rows, err)
	}
	deletedRefs, err = Prune(opts.Store, opts.Table, 1, opts.Auth)
	if err != nil || len(deletedRefs) != 4 {
		t.Fatalf("prune to the new full: deleted %v (%v)", deletedRefs, err)
	}
}

func TestChainTamperingAndDuplicates(t *testing.T) {
	opts := testOptions(t, t.TempDir())
	now := fixedNow
	opts.Now = func() time.Time { now = now.Add(time.Hour); return now }
	copts := ChainOptions{Key: []string{"id"}}
	tb := table{}
	for i := int64(1); i <= 3000; i++ {
		tb[i] = 0
	}
	full, err := writeNight(t, opts, copts, tb, 1)
	if err != nil {
		t.Fatal(err)
	}
	tb[5]++
	inc, err := writeNight(t, opts, copts, tb, 2)
	if err != nil {
		t.Fatal(err)
	}
	same, err := writeNight(t, opts, copts, tb, 3)
	if err != nil || same.Chain.Kind != ChainUnchanged {
		t.Fatalf("%+v %v", same, err)
	}
	// An incremental link whose data file was altered: the unchanged night fails to compose.
	incDir := filepath.Join(TableDir(opts.Store, opts.Table), inc.ID)
	data := filepath.Join(incDir, inc.DataFiles()[0].Name)
	b, _ := os.ReadFile(data)
	b[len(b)/2] ^= 1
	os.WriteFile(data, b, 0o600)
	if _, _, err := composed(t, opts, same.Ref()); !errors.Is(err, ErrChecksum) {
		t.Errorf("altered link: %v", err)
	}
	// A missing link is an error naming it.
	os.RemoveAll(incDir)
	if _, _, err := composed(t, opts, same.Ref()); err == nil || !errors.Is(err, ErrMissingFile) {
		t.Errorf("missing link: %v", err)
	}
	// The full snapshot alone still reads.
	if rows, _, err := composed(t, opts, full.Ref()); err != nil || rows != 3000 {
		t.Errorf("full: %d %v", rows, err)
	}

	// Duplicate keys fail the night, full or incremental, and commit nothing.
	dupOpts := testOptions(t, t.TempDir())
	dupOpts.Now = opts.Now
	for night := 0; night < 2; night++ {
		w, err := CreateChained(context.Background(), dupOpts, chainSchema, copts)
		if err != nil {
			t.Fatal(err)
		}
		recs := table{1: 0, 2: 0}.records(memory.DefaultAllocator, 1)
		recs = append(recs, table{2: night}.records(memory.DefaultAllocator, 1)...)
		if night == 0 {
			recs = recs[:1]
		}
		var werr error
		var rows int64
		for _, r := range recs {
			if werr == nil {
				werr = w.Write(r)
			}
			rows += r.NumRows()
			r.Release()
		}
		if werr == nil {
			_, werr = w.Commit(context.Background(), rows)
			if night == 0 && werr != nil {
				t.Fatal(werr)
			}
			continue
		}
		w.Abort()
		if !errors.Is(werr, ErrDuplicateKey) {
			t.Errorf("night %d: %v", night, werr)
		}
	}
	if ms, _ := List(dupOpts.Store); len(ms) != 1 {
		t.Errorf("%d snapshots after a failed night, want 1", len(ms))
	}
	if _, err := CreateChained(context.Background(), dupOpts, chainSchema, ChainOptions{Key: []string{"nope"}}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("unknown key column: %v", err)
	}
}
