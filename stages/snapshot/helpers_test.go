package snapshot

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"
)

// testKeys is a tiny KeyWrapper for tests: AES-256-GCM under fixed keys.
// The wrapped form is len(id) | id | nonce | ciphertext.
type testKeys struct {
	mu      sync.Mutex
	primary string
	keys    map[string][]byte
}

func newTestKeys(ids ...string) *testKeys {
	k := &testKeys{keys: map[string][]byte{}}
	for _, id := range ids {
		k.add(id)
	}
	return k
}

func (k *testKeys) add(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sum := sha256.Sum256([]byte("vigil-test-key/" + id))
	k.keys[id] = sum[:]
	k.primary = id
}

func (k *testKeys) aead(id string) (cipher.AEAD, error) {
	key, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("testkeys: unknown key %q", id)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func (k *testKeys) WrapKey(dek, ad []byte) (string, []byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	a, err := k.aead(k.primary)
	if err != nil {
		return "", nil, err
	}
	out := append([]byte{byte(len(k.primary))}, k.primary...)
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return k.primary, a.Seal(out, nonce, dek, ad), nil
}

func (k *testKeys) UnwrapKey(wrapped, ad []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(wrapped) < 1 || len(wrapped) < 1+int(wrapped[0]) {
		return nil, errors.New("testkeys: short")
	}
	id := string(wrapped[1 : 1+wrapped[0]])
	a, err := k.aead(id)
	if err != nil {
		return nil, err
	}
	rest := wrapped[1+len(id):]
	if len(rest) < a.NonceSize() {
		return nil, errors.New("testkeys: short")
	}
	return a.Open(nil, rest[:a.NonceSize()], rest[a.NonceSize():], ad)
}

// testAuth is HMAC-SHA256 under a fixed key.
type testAuth struct{ key []byte }

func newTestAuth(name string) *testAuth { return &testAuth{key: []byte("vigil-test-mac/" + name)} }

func (a *testAuth) Sign(msg []byte) ([]byte, error) {
	m := hmac.New(sha256.New, a.key)
	m.Write(msg)
	return m.Sum(nil), nil
}

func (a *testAuth) Verify(msg, tag []byte) error {
	want, _ := a.Sign(msg)
	if !hmac.Equal(want, tag) {
		return errors.New("testauth: bad tag")
	}
	return nil
}

// fullSchema covers every supported type.
func fullSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "birth", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ts_local", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "big", Type: &arrow.Decimal128Type{Precision: 38, Scale: 10}, Nullable: true},
		{Name: "frac", Type: &arrow.Decimal128Type{Precision: 4, Scale: 4}, Nullable: true},
		{Name: `we"ird 列`, Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

var (
	names = []string{"张三", "李四", "王五", "", "O'Brien, \"Pat\"", "line\nbreak", "Zoë", "😀 emoji", "a-b:c"}
	f64s  = []float64{0, math.Copysign(0, -1), 0.1, 1e20, 1.5e-7, 100, 1.0 / 3, math.NaN(), math.Inf(1), math.Inf(-1),
		1e15, 1e16, 1e-4, 1e-5, -123.456, 5e-324, math.MaxFloat64, 9.999e15, 123456789}
)

// genRecord makes n deterministic rows starting at row id start; every
// nullable column has NULLs.
func genRecord(alloc memory.Allocator, schema *arrow.Schema, start, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, schema)
	defer b.Release()
	for r := start; r < start+n; r++ {
		rng := mrand.New(mrand.NewPCG(uint64(r), 7)) // values depend on the row only
		for c, f := range schema.Fields() {
			fb := b.Field(c)
			if f.Nullable && (r+c)%11 == 0 {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int64Builder:
				fb.Append(int64(r))
			case *array.StringBuilder:
				fb.Append(names[(r+c)%len(names)] + fmt.Sprint(r%97))
			case *array.LargeStringBuilder:
				fb.Append(strings.Repeat("备注", r%5))
			case *array.BinaryBuilder:
				fb.Append([]byte{byte(r), 0, 0xff, byte(r >> 8)})
			case *array.Int8Builder:
				fb.Append(int8(r))
			case *array.Int16Builder:
				fb.Append(int16(-r))
			case *array.Int32Builder:
				fb.Append(int32(r * 7919))
			case *array.Uint8Builder:
				fb.Append(uint8(r))
			case *array.Uint16Builder:
				fb.Append(uint16(r * 3))
			case *array.Uint32Builder:
				fb.Append(uint32(r) * 2654435761)
			case *array.Uint64Builder:
				fb.Append(math.MaxUint64 - uint64(r))
			case *array.Float32Builder:
				if r%3 == 0 {
					fb.Append(float32(f64s[r%len(f64s)]))
				} else {
					fb.Append(rng.Float32() * float32(math.Pow(10, float64(rng.IntN(20)-10))))
				}
			case *array.Float64Builder:
				if r%3 == 0 {
					fb.Append(f64s[r%len(f64s)])
				} else {
					fb.Append((rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(40)-20)))
				}
			case *array.BooleanBuilder:
				fb.Append(r%2 == 0)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(r*37%40000 - 20000))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(int64(r)*1_000_003_007 - 1_000_000_000_000))
			case *array.Decimal128Builder:
				dt := f.Type.(*arrow.Decimal128Type)
				switch dt.Precision {
				case 38:
					v := decimal128.FromI64(int64(r) - 5).Mul(decimal128.FromU64(math.MaxUint64 - 12345))
					fb.Append(v)
				case 4:
					fb.Append(decimal128.FromI64(int64(r%19999) - 9999))
				default:
					fb.Append(decimal128.FromI64(int64(r*12345%1000001) - 500000))
				}
			default:
				panic(fmt.Sprintf("genRecord: %T", fb))
			}
		}
	}
	return b.NewRecordBatch()
}

// fixedNow is the creation time used by deterministic tests.
var fixedNow = time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC)

func testOptions(t testing.TB, store string) Options {
	return Options{
		Store:  store,
		Table:  "customers",
		Source: "csv:testdata",
		Keys:   newTestKeys("k1"),
		Auth:   newTestAuth("a1"),
		Logger: slog.New(slog.DiscardHandler),
	}
}

// writeSnapshot writes rows rows in batches of batch rows and commits.
func writeSnapshot(t testing.TB, opts Options, schema *arrow.Schema, rows, batch int, rejects []Reject) *Manifest {
	t.Helper()
	ctx := context.Background()
	w, err := Create(ctx, opts, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	alloc := opts.Alloc
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	for start := 0; start < rows; start += batch {
		rec := genRecord(alloc, schema, start, min(batch, rows-start))
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rejects {
		if err := w.Reject(r); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Commit(ctx, int64(rows+len(rejects)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// duckDB opens an in-memory DuckDB that never reaches the network.
func duckDB(t testing.TB) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, q := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// duckRelation registers the data keys of s in conn and returns a relation
// over all data files.
func duckRelation(t testing.TB, conn *sql.Conn, s *Snapshot) string {
	t.Helper()
	var parts []string
	for i, f := range s.Manifest().DataFiles() {
		dek, err := s.DataKey(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("k%d", i)
		_, err = conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA add_parquet_key('%s', '%s')", name, base64.StdEncoding.EncodeToString(dek)))
		if err != nil {
			t.Fatal("add_parquet_key failed")
		}
		parts = append(parts, fmt.Sprintf("SELECT * FROM read_parquet('%s', encryption_config={footer_key:'%s'})",
			strings.ReplaceAll(s.Path(f.Name), "'", "''"), name))
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ") AS snap"
}

func mustContainNone(t *testing.T, what string, haystack []byte, needles ...string) {
	t.Helper()
	for _, n := range needles {
		if n != "" && bytes.Contains(haystack, []byte(n)) {
			t.Errorf("%s contains %q", what, n)
		}
	}
}

// sameRows compares two records cell by cell in canonical digest form
// (exact, NaN equals NaN, -0 differs from 0).
func sameRows(t testing.TB, a, b arrow.RecordBatch) bool {
	t.Helper()
	if a.NumCols() != b.NumCols() || a.NumRows() != b.NumRows() {
		return false
	}
	for c := 0; c < int(a.NumCols()); c++ {
		fa, err := newCellFunc(a.Column(c))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := newCellFunc(b.Column(c))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < int(a.NumRows()); i++ {
			if !bytes.Equal(fa(nil, i), fb(nil, i)) {
				t.Logf("column %s row %d differs", a.ColumnName(c), i)
				return false
			}
		}
	}
	return true
}
