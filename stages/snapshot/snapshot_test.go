package snapshot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)

	var logs bytes.Buffer
	opts := testOptions(t, t.TempDir())
	opts.Alloc = alloc
	opts.MaxRowsPerFile = 1000
	opts.RowGroupRows = 300
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Extra = map[string]string{"run": "r1"}
	schema := fullSchema()
	rejects := []Reject{
		{File: "customers.csv", Line: 17, Column: "amount", Reason: "not a decimal", Raw: "SECRET-RAW-1,张三,abc"},
		{File: "customers.csv", Line: 99, Column: "birth", Reason: "bad date", Raw: "SECRET-RAW-2,李四,1990-13-45"},
	}
	const rows = 2345
	m := writeSnapshot(t, opts, schema, rows, 512, rejects)

	if m.Rows != rows || m.RowsRejected != 2 || m.RowsRead != rows+2 {
		t.Fatalf("counts: %+v", m)
	}
	if got := len(m.DataFiles()); got != 3 {
		t.Errorf("data files = %d, want 3", got)
	}
	if got := len(m.RejectFiles()); got != 1 {
		t.Errorf("reject files = %d, want 1", got)
	}
	if m.Extra["run"] != "r1" || m.Encryption != Encryption {
		t.Errorf("manifest fields: %+v", m)
	}
	// Nothing personal or secret in the logs.
	mustContainNone(t, "log", logs.Bytes(), "SECRET-RAW", "张三")
	for _, f := range m.Files {
		mustContainNone(t, "log", logs.Bytes(), f.WrappedKey)
	}

	s, err := Open(ctx, opts.Store, "customers/"+m.ID, opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := s.Records(ctx, alloc)
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Schema().Equal(schema) {
		t.Fatalf("schema %v, want %v", rr.Schema(), schema)
	}
	dig, err := NewDigester(rr.Schema())
	if err != nil {
		t.Fatal(err)
	}
	nulls := make([]int64, schema.NumFields())
	var n int
	for rr.Next() {
		rec := rr.RecordBatch()
		want := genRecord(alloc, schema, n, int(rec.NumRows()))
		if !sameRows(t, rec, want) {
			t.Errorf("batch at row %d differs", n)
		}
		want.Release()
		if err := dig.Add(rec); err != nil {
			t.Fatal(err)
		}
		for i, c := range rec.Columns() {
			nulls[i] += int64(c.NullN())
		}
		n += int(rec.NumRows())
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	if n != rows {
		t.Errorf("read %d rows, want %d", n, rows)
	}
	if dig.Sum() != m.Digest {
		t.Errorf("digest %s, manifest %s", dig.Sum(), m.Digest)
	}
	for i, f := range schema.Fields() {
		if m.NullCounts[f.Name] != nulls[i] {
			t.Errorf("null count %s = %d, want %d", f.Name, m.NullCounts[f.Name], nulls[i])
		}
	}
	as, err := m.ArrowSchema()
	if err != nil || !as.Equal(schema) {
		t.Errorf("ArrowSchema = %v, %v", as, err)
	}

	rj, err := s.Rejects(ctx, alloc)
	if err != nil {
		t.Fatal(err)
	}
	var got []Reject
	for rj.Next() {
		rec := rj.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, Reject{
				File:   rec.Column(0).(*array.String).Value(i),
				Line:   rec.Column(1).(*array.Int64).Value(i),
				Column: rec.Column(2).(*array.String).Value(i),
				Reason: rec.Column(3).(*array.String).Value(i),
				Raw:    rec.Column(4).(*array.String).Value(i),
			})
		}
	}
	if err := rj.Err(); err != nil {
		t.Fatal(err)
	}
	rj.Release()
	if len(got) != 2 || got[0] != rejects[0] || got[1] != rejects[1] {
		t.Errorf("rejects = %+v", got)
	}
	// Raw rejected rows are never stored in plaintext.
	ents, _ := os.ReadDir(s.Dir())
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(s.Dir(), e.Name()))
		mustContainNone(t, e.Name(), b, "SECRET-RAW", "张三", "customers.csv")
		if st, _ := e.Info(); st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", e.Name(), st.Mode())
		}
	}
}

func TestEmptySnapshot(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	opts := testOptions(t, t.TempDir())
	opts.Alloc = alloc
	m := writeSnapshot(t, opts, fullSchema(), 0, 1, nil)
	if m.Rows != 0 || m.Digest != EmptyDigest || len(m.Files) != 1 {
		t.Fatalf("manifest %+v", m)
	}
	s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := s.Records(ctx, alloc)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	if rr.Next() || rr.Err() != nil {
		t.Fatalf("want no rows, err %v", rr.Err())
	}
	rj, err := s.Rejects(ctx, alloc)
	if err != nil {
		t.Fatal(err)
	}
	defer rj.Release()
	if rj.Next() || !rj.Schema().Equal(RejectSchema()) {
		t.Fatal("rejects of empty snapshot")
	}
}

func TestCommitCountMismatch(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	w, err := Create(ctx, opts, fullSchema())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	rec := genRecord(memory.DefaultAllocator, fullSchema(), 0, 10)
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Reject(Reject{Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err = w.Commit(ctx, 10)
	if !errors.Is(err, ErrCountMismatch) {
		t.Fatalf("err = %v, want ErrCountMismatch", err)
	}
	if ms, _ := List(opts.Store); len(ms) != 0 {
		t.Fatal("a snapshot became visible")
	}
	if _, err := w.Commit(ctx, 11); err != nil {
		t.Fatalf("commit with the right count: %v", err)
	}
}

func TestAbortAndCrash(t *testing.T) {
	ctx := context.Background()
	store := t.TempDir()
	opts := testOptions(t, store)
	schema := fullSchema()
	rec := genRecord(memory.DefaultAllocator, schema, 0, 100)
	defer rec.Release()

	// Abort leaves nothing.
	w, err := Create(ctx, opts, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal("second Abort:", err)
	}
	if err := w.Write(rec); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Abort: %v", err)
	}
	ents, _ := os.ReadDir(TableDir(store, "customers"))
	if len(ents) != 0 {
		t.Fatalf("Abort left %v", ents)
	}

	// A crash (no Commit, no Abort) leaves only .tmp-*, which List ignores.
	w, err = Create(ctx, opts, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.stopDigest() // the process "dies" here
	good := writeSnapshot(t, opts, schema, 5, 5, nil)
	ms, err := List(store)
	if err != nil || len(ms) != 1 || ms[0].ID != good.ID {
		t.Fatalf("List = %v, %v", ms, err)
	}
	if _, err := Resolve(store, w.ID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve(uncommitted) = %v", err)
	}
	removed, err := Cleanup(store, 0)
	if err != nil || len(removed) != 1 || !strings.Contains(removed[0], ".tmp-"+w.ID()) {
		t.Fatalf("Cleanup = %v, %v", removed, err)
	}
	if ms, _ := List(store); len(ms) != 1 {
		t.Fatal("Cleanup removed a committed snapshot")
	}
}

func TestWriteRefusesBadRecords(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	w, err := Create(ctx, opts, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendNull()
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 1)
	defer rec.Release()
	if err := w.Write(rec); !errors.Is(err, ErrNullInNonNullable) {
		t.Errorf("null in non-nullable: %v", err)
	}
	other := genRecord(memory.DefaultAllocator, fullSchema(), 0, 1)
	defer other.Release()
	if err := w.Write(other); !errors.Is(err, ErrSchemaMismatch) {
		t.Errorf("other schema: %v", err)
	}
	if _, err := w.Commit(ctx, 0); err != nil {
		t.Errorf("writer should stay usable: %v", err)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	store := t.TempDir()
	cases := []struct {
		name   string
		table  string
		schema *arrow.Schema
		want   error
	}{
		{"nanosecond timestamps", "t", arrow.NewSchema([]arrow.Field{{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_ns}}, nil), ErrUnsupportedType},
		{"nested", "t", arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil), ErrUnsupportedType},
		{"duplicate column", "t", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil), ErrUnsupportedType},
		{"no columns", "t", arrow.NewSchema(nil, nil), ErrUnsupportedType},
		{"path in table", "../x", fullSchema(), ErrInvalidName},
		{"dot table", ".hidden", fullSchema(), ErrInvalidName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t, store)
			opts.Table = tc.table
			w, err := Create(ctx, opts, tc.schema)
			if !errors.Is(err, tc.want) {
				if w != nil {
					w.Abort()
				}
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestOpenDetectsTamperedManifest(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	m := writeSnapshot(t, opts, fullSchema(), 50, 50, nil)
	dir := filepath.Join(TableDir(opts.Store, "customers"), m.ID)
	path := filepath.Join(dir, ManifestName)
	orig, _ := os.ReadFile(path)

	edits := map[string]func(*Manifest){
		"rows":        func(m *Manifest) { m.Rows++; m.RowsRead++; m.Files[0].Rows++ },
		"digest":      func(m *Manifest) { m.Digest = EmptyDigest },
		"source":      func(m *Manifest) { m.Source = "elsewhere" },
		"sha256":      func(m *Manifest) { m.Files[0].SHA256 = strings.Repeat("0", 64) },
		"extra":       func(m *Manifest) { m.Extra = map[string]string{"a": "b"} },
		"null counts": func(m *Manifest) { m.NullCounts["name"] = 0 },
		"nullable":    func(m *Manifest) { m.Schema[1].Nullable = false },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			mm, err := ParseManifest(orig)
			if err != nil {
				t.Fatal(err)
			}
			edit(mm)
			b, _ := mm.Marshal()
			os.WriteFile(path, b, 0o600)
			defer os.WriteFile(path, orig, 0o600)
			_, err = Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
			if !errors.Is(err, ErrManifestTampered) {
				t.Fatalf("err = %v, want ErrManifestTampered", err)
			}
		})
	}
	t.Run("wrong keyset", func(t *testing.T) {
		_, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, newTestAuth("other"))
		if !errors.Is(err, ErrManifestTampered) {
			t.Fatalf("err = %v", err)
		}
		s, err := OpenUnverified(ctx, opts.Store, m.Ref(), newTestKeys("other"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DataKey(m.Files[0].Name); !errors.Is(err, ErrKeyUnwrap) {
			t.Fatalf("DataKey with the wrong keys: %v", err)
		}
	})
	t.Run("moved", func(t *testing.T) {
		other := filepath.Join(TableDir(opts.Store, "orders"))
		os.MkdirAll(other, 0o700)
		if err := os.Rename(dir, filepath.Join(other, m.ID)); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(filepath.Join(other, m.ID), dir)
		_, err := Open(ctx, opts.Store, "orders/"+m.ID, opts.Keys, opts.Auth)
		if !errors.Is(err, ErrManifestTampered) {
			t.Fatalf("err = %v", err)
		}
	})
	if _, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth); err != nil {
		t.Fatalf("restored manifest: %v", err)
	}
}

func TestRecordsDetectsDamage(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	m := writeSnapshot(t, opts, fullSchema(), 200, 100, nil)
	s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	path := s.Path(m.Files[0].Name)
	orig, _ := os.ReadFile(path)
	readAll := func() error {
		rr, err := s.Records(ctx, memory.DefaultAllocator)
		if err != nil {
			return err
		}
		defer rr.Release()
		for rr.Next() {
		}
		return rr.Err()
	}
	cases := []struct {
		name   string
		damage func()
		want   error
	}{
		{"flipped byte", func() { b := bytes.Clone(orig); b[len(b)/2] ^= 1; os.WriteFile(path, b, 0o600) }, ErrChecksum},
		{"truncated", func() { os.WriteFile(path, orig[:len(orig)-10], 0o600) }, ErrTruncated},
		{"missing", func() { os.Remove(path) }, ErrMissingFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.damage()
			defer os.WriteFile(path, orig, 0o600)
			err := readAll()
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != m.Files[0].Name {
				t.Fatalf("want *FileError naming the file, got %v", err)
			}
		})
	}
	t.Run("flipped byte without hash check", func(t *testing.T) {
		b := bytes.Clone(orig)
		b[len(b)/2] ^= 1
		os.WriteFile(path, b, 0o600)
		defer os.WriteFile(path, orig, 0o600)
		rr, err := s.OpenFile(ctx, m.Files[0].Name, memory.DefaultAllocator)
		if err == nil {
			for rr.Next() {
			}
			err = rr.Err()
			rr.Release()
		}
		if !errors.Is(err, ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
	if err := readAll(); err != nil {
		t.Fatal(err)
	}
}

func TestListLatestResolvePrune(t *testing.T) {
	store := t.TempDir()
	var ids []string
	for i := 0; i < 3; i++ {
		opts := testOptions(t, store)
		opts.Now = func() time.Time { return fixedNow.Add(time.Duration(i) * time.Hour) }
		ids = append(ids, writeSnapshot(t, opts, fullSchema(), 3, 3, nil).ID)
	}
	opts := testOptions(t, store)
	opts.Table = "订单"
	other := writeSnapshot(t, opts, fullSchema(), 1, 1, nil)

	ms, err := List(store)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Ref())
	}
	want := []string{"customers/" + ids[0], "customers/" + ids[1], "customers/" + ids[2], "订单/" + other.ID}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("List = %v, want %v", got, want)
	}
	if m, err := Latest(store, "customers"); err != nil || m.ID != ids[2] {
		t.Fatalf("Latest = %v, %v", m, err)
	}
	if _, err := Latest(store, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Latest(nope) = %v", err)
	}
	for ref, wantDir := range map[string]string{
		"customers/latest":    ids[2],
		"customers":           ids[2],
		"customers/" + ids[0]: ids[0],
		ids[1]:                ids[1],
		"订单/latest":           other.ID,
	} {
		dir, err := Resolve(store, ref)
		if err != nil || filepath.Base(dir) != wantDir {
			t.Errorf("Resolve(%q) = %s, %v; want %s", ref, dir, err, wantDir)
		}
	}
	for _, ref := range []string{"customers/20260101T000000Z-000000", "../../etc", "customers/../x"} {
		if _, err := Resolve(store, ref); err == nil {
			t.Errorf("Resolve(%q) succeeded", ref)
		}
	}
	// A broken manifest is reported but does not hide the others.
	bad := filepath.Join(TableDir(store, "customers"), ids[1], ManifestName)
	orig, _ := os.ReadFile(bad)
	os.WriteFile(bad, []byte("{"), 0o600)
	ms, err = List(store)
	if err == nil || len(ms) != 3 || !errors.Is(err, ErrManifestInvalid) {
		t.Errorf("List with a broken manifest = %d, %v", len(ms), err)
	}
	// Prune keeps the damaged snapshot (evidence) and removes the others.
	auth := newTestAuth("a1")
	deleted, err := Prune(store, "customers", 1, auth)
	if err != nil || len(deleted) != 1 || deleted[0] != "customers/"+ids[0] {
		t.Fatalf("Prune around a damaged snapshot = %v, %v", deleted, err)
	}
	os.WriteFile(bad, orig, 0o600)

	deleted, err = Prune(store, "customers", 1, auth)
	if err != nil || len(deleted) != 1 || deleted[0] != "customers/"+ids[1] {
		t.Fatalf("Prune = %v, %v", deleted, err)
	}
	ms, _ = List(store)
	if len(ms) != 2 || ms[0].ID != ids[2] {
		t.Fatalf("after Prune: %v", ms)
	}
	if _, err := Prune(store, "customers", 0, auth); err == nil {
		t.Error("Prune(0) should refuse")
	}
	if err := Delete(store, "订单/"+other.ID, auth); err != nil {
		t.Fatal(err)
	}
	if ms, _ = List(store); len(ms) != 1 {
		t.Fatalf("after Delete: %d", len(ms))
	}
}

func TestRewrap(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	keys := newTestKeys("k1")
	opts.Keys = keys
	m := writeSnapshot(t, opts, fullSchema(), 100, 40, []Reject{{Reason: "r", Raw: "x"}})
	before, _ := os.ReadFile(filepath.Join(TableDir(opts.Store, "customers"), m.ID, m.Files[0].Name))

	keys.add("k2") // rotation: k2 becomes primary, k1 stays for reading
	auth2 := &multiAuth{sign: newTestAuth("a2"), verify: []*testAuth{newTestAuth("a1"), newTestAuth("a2")}}
	m2, err := Rewrap(ctx, opts.Store, m.Ref(), keys, auth2)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m2.Files {
		if f.KeyID != "k2" {
			t.Errorf("%s still wrapped by %s", f.Name, f.KeyID)
		}
	}
	// k1 can be dropped now.
	delete(keys.keys, "k1")
	s, err := Open(ctx, opts.Store, m.Ref(), keys, newTestAuth("a2"))
	if err != nil {
		t.Fatal(err)
	}
	rr, err := s.Records(ctx, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	if rr.Err() != nil || n != 100 {
		t.Fatalf("read %d rows, %v", n, rr.Err())
	}
	rr.Release()
	after, _ := os.ReadFile(s.Path(m.Files[0].Name))
	if !bytes.Equal(before, after) {
		t.Error("Rewrap rewrote data")
	}
	if _, err := Open(ctx, opts.Store, m.Ref(), keys, newTestAuth("a1")); !errors.Is(err, ErrManifestTampered) {
		t.Error("old manifest key still verifies the re-signed manifest")
	}
}

// multiAuth signs with one key and verifies with any of several (as a keyset does).
type multiAuth struct {
	sign   *testAuth
	verify []*testAuth
}

func (a *multiAuth) Sign(msg []byte) ([]byte, error) { return a.sign.Sign(msg) }
func (a *multiAuth) Verify(msg, tag []byte) error {
	for _, v := range a.verify {
		if v.Verify(msg, tag) == nil {
			return nil
		}
	}
	return errors.New("bad tag")
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	m := writeSnapshot(t, opts, fullSchema(), 120, 50, nil)
	s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, format := range []Format{FormatParquet, FormatCSV} {
		r, err := Restore(ctx, s, out, format)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(r.Path)
		if err != nil || st.Mode().Perm() != 0o600 || r.Rows != 120 {
			t.Fatalf("%s: %v %v %+v", format, st.Mode(), err, r)
		}
		if _, err := Restore(ctx, s, out, format); !errors.Is(err, ErrExists) {
			t.Errorf("second restore: %v", err)
		}
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 2 {
		t.Errorf("restore left %d files", len(ents))
	}
	// The plain Parquet copy has the same content digest; the CSV the same rows.
	conn := duckDB(t)
	pq := filepath.Join(out, "customers-"+m.ID+".parquet")
	var digest string
	if err := conn.QueryRowContext(ctx, DigestSQL(fullSchema(), "read_parquet('"+pq+"')")).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if digest != m.Digest {
		t.Errorf("restored parquet digest %s, want %s", digest, m.Digest)
	}
	var n int64
	csvPath := filepath.Join(out, "customers-"+m.ID+".csv")
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM read_csv('"+csvPath+"', header=true, all_varchar=true)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 120 {
		t.Errorf("csv rows = %d", n)
	}
}

// TestParallelColumns writes the same rows with the columns encoded one
// after the other and by several goroutines: the files have the same
// sizes (the same layout) and read back as the input, in order.
func TestParallelColumns(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	schema := fullSchema()
	const rows = 3000
	var sizes [2][]int64
	for k, workers := range []int{1, 4} {
		opts := testOptions(t, t.TempDir())
		opts.Alloc = alloc
		opts.RowGroupRows = 700
		w, err := Create(ctx, opts, schema)
		if err != nil {
			t.Fatal(err)
		}
		w.workers = workers
		for start := 0; start < rows; start += 512 {
			rec := genRecord(alloc, schema, start, min(512, rows-start))
			err := w.Write(rec)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		m, err := w.Commit(ctx, rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files {
			sizes[k] = append(sizes[k], f.Size)
		}
		s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := s.Records(ctx, alloc)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rr.Next() {
			rec := rr.RecordBatch()
			want := genRecord(alloc, schema, n, int(rec.NumRows()))
			if !sameRows(t, rec, want) {
				t.Errorf("workers %d: batch at row %d differs", workers, n)
			}
			want.Release()
			n += int(rec.NumRows())
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		if n != rows {
			t.Errorf("workers %d: read %d rows, want %d", workers, n, rows)
		}
	}
	if !slices.Equal(sizes[0], sizes[1]) {
		t.Errorf("file sizes %v (serial) and %v (parallel) differ", sizes[0], sizes[1])
	}
}
