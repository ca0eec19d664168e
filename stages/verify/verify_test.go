package verify

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// testKeys wraps data keys with AES-256-GCM under a key derived from name.
type testKeys struct{ key []byte }

func newKeys(name string) *testKeys {
	k := sha256.Sum256([]byte("verify-test-key/" + name))
	return &testKeys{key: k[:]}
}

func (k *testKeys) gcm() cipher.AEAD {
	b, _ := aes.NewCipher(k.key)
	a, _ := cipher.NewGCM(b)
	return a
}

func (k *testKeys) WrapKey(dek, ad []byte) (string, []byte, error) {
	a := k.gcm()
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return "test-1", a.Seal(nonce, nonce, dek, ad), nil
}

func (k *testKeys) UnwrapKey(wrapped, ad []byte) ([]byte, error) {
	a := k.gcm()
	if len(wrapped) < a.NonceSize() {
		return nil, errors.New("short")
	}
	return a.Open(nil, wrapped[:a.NonceSize()], wrapped[a.NonceSize():], ad)
}

type testAuth struct{ key []byte }

func newAuth(name string) *testAuth { return &testAuth{key: []byte("verify-test-mac/" + name)} }

func (a *testAuth) Sign(msg []byte) ([]byte, error) {
	h := hmac.New(sha256.New, a.key)
	h.Write(msg)
	return h.Sum(nil), nil
}

func (a *testAuth) Verify(msg, tag []byte) error {
	want, _ := a.Sign(msg)
	if !hmac.Equal(want, tag) {
		return errors.New("bad tag")
	}
	return nil
}

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "姓名", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "balance", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "birth", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "active", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

// secretName is a "personal" value that must never show up in results.
const secretName = "王秘密"

func batch(start, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, testSchema)
	defer b.Release()
	for i := start; i < start+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%7 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%s%d", secretName, i))
		}
		b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i*37) - 500))
		b.Field(3).(*array.Date32Builder).Append(arrow.Date32(i - 1000))
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 1_000_001))
		if i%5 == 0 {
			b.Field(5).AppendNull()
		} else {
			b.Field(5).(*array.BooleanBuilder).Append(i%2 == 0)
		}
	}
	return b.NewRecordBatch()
}

type fixture struct {
	store string
	keys  *testKeys
	auth  *testAuth
	m     *snapshot.Manifest
	dir   string
}

// newFixture writes a snapshot of 2 data files (300 rows) and 1 rejects file.
func newFixture(t *testing.T, table string, now time.Time) *fixture {
	t.Helper()
	fx := &fixture{store: t.TempDir(), keys: newKeys("main"), auth: newAuth("main")}
	fx.write(t, table, now)
	return fx
}

func (fx *fixture) write(t *testing.T, table string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	w, err := snapshot.Create(ctx, snapshot.Options{
		Store: fx.store, Table: table, Source: "csv:fixture", Keys: fx.keys, Auth: fx.auth,
		MaxRowsPerFile: 200, RowGroupRows: 64, Now: func() time.Time { return now },
	}, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for start := 0; start < 300; start += 100 {
		rec := batch(start, 100)
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Reject(snapshot.Reject{File: "c.csv", Line: 7, Column: "balance", Reason: "not a number", Raw: secretName + ",abc"}); err != nil {
		t.Fatal(err)
	}
	if fx.m, err = w.Commit(ctx, 301); err != nil {
		t.Fatal(err)
	}
	fx.dir = filepath.Join(snapshot.TableDir(fx.store, table), fx.m.ID)
}

func (fx *fixture) path(name string) string { return filepath.Join(fx.dir, name) }

func (fx *fixture) check(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Check(context.Background(), fx.store, fx.m.Ref(), fx.keys, fx.auth, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// resign edits the manifest and signs it again, as someone holding the
// manifest key could.
func (fx *fixture) resign(t *testing.T, edit func(*snapshot.Manifest)) {
	t.Helper()
	b, err := os.ReadFile(fx.path(snapshot.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := snapshot.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	if err := m.Sign(fx.auth); err != nil {
		t.Fatal(err)
	}
	out, _ := m.Marshal()
	if err := os.WriteFile(fx.path(snapshot.ManifestName), out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, at func(n int) int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at(len(b))] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func kinds(res *Result) []Kind {
	var out []Kind
	for _, p := range res.Problems {
		out = append(out, p.Kind)
	}
	return out
}

func TestCheckOK(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	fx := newFixture(t, "customers", time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC))
	var logs bytes.Buffer
	drillParent := t.TempDir()
	res := fx.check(t, Options{RestoreDrill: true, TempDir: drillParent, Alloc: alloc,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if !res.OK || len(res.Problems) != 0 || res.Err() != nil {
		t.Fatalf("problems: %v", res.Problems)
	}
	want := []string{CheckManifest, CheckFiles, CheckDecrypt, CheckDuckDB, CheckRestore}
	if !slices.Equal(res.Checks, want) {
		t.Errorf("checks %v, want %v", res.Checks, want)
	}
	if res.RowsChecked != 300 || res.FilesChecked != 3 || res.Snapshot != fx.m.Ref() || res.Table != "customers" {
		t.Errorf("result %+v", res)
	}
	if ents, _ := os.ReadDir(drillParent); len(ents) != 0 {
		t.Errorf("the restore drill left %d entries", len(ents))
	}
	if !strings.Contains(logs.String(), "snapshot verified") {
		t.Errorf("log: %s", logs.String())
	}
	assertNoSecrets(t, fx, res, logs.String())
}

// TestProblems damages a fresh snapshot in one way per case and checks the
// exact problem kinds reported.
func TestProblems(t *testing.T) {
	now := time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC)
	cases := []struct {
		name   string
		damage func(t *testing.T, fx *fixture)
		keys   *testKeys
		auth   *testAuth
		want   []Kind
		file   string
	}{
		{name: "flipped byte in a data file",
			damage: func(t *testing.T, fx *fixture) {
				flipByte(t, fx.path("data-00001.parquet"), func(n int) int { return n / 2 })
			},
			want: []Kind{KindChecksum}, file: "data-00001.parquet"},
		{name: "flipped byte in a data file, hash re-signed",
			damage: func(t *testing.T, fx *fixture) {
				p := fx.path("data-00000.parquet")
				flipByte(t, p, func(n int) int { return n / 3 })
				b, _ := os.ReadFile(p)
				sum := sha256.Sum256(b)
				fx.resign(t, func(m *snapshot.Manifest) { m.Files[0].SHA256 = hex.EncodeToString(sum[:]) })
			},
			want: []Kind{KindDecrypt}, file: "data-00000.parquet"},
		{name: "flipped byte in the manifest value",
			damage: func(t *testing.T, fx *fixture) {
				b, _ := os.ReadFile(fx.path(snapshot.ManifestName))
				i := bytes.Index(b, []byte("csv:fixture"))
				flipByte(t, fx.path(snapshot.ManifestName), func(int) int { return i + 4 })
			},
			want: []Kind{KindManifestTampered}, file: snapshot.ManifestName},
		{name: "flipped byte in the manifest structure",
			damage: func(t *testing.T, fx *fixture) {
				flipByte(t, fx.path(snapshot.ManifestName), func(int) int { return 0 })
			},
			want: []Kind{KindManifestTampered}, file: snapshot.ManifestName},
		{name: "missing data file",
			damage: func(t *testing.T, fx *fixture) { os.Remove(fx.path("data-00001.parquet")) },
			want:   []Kind{KindMissingFile}, file: "data-00001.parquet"},
		{name: "missing manifest",
			damage: func(t *testing.T, fx *fixture) { os.Remove(fx.path(snapshot.ManifestName)) },
			want:   []Kind{KindMissingFile}, file: snapshot.ManifestName},
		{name: "truncated data file",
			damage: func(t *testing.T, fx *fixture) {
				p := fx.path("data-00000.parquet")
				st, _ := os.Stat(p)
				os.Truncate(p, st.Size()-100)
			},
			want: []Kind{KindTruncated}, file: "data-00000.parquet"},
		{name: "wrong keyset",
			keys: newKeys("other"), auth: newAuth("other"),
			want: []Kind{KindWrongKey}},
		{name: "right manifest key, wrong data keys",
			keys: newKeys("other"),
			want: []Kind{KindWrongKey, KindWrongKey, KindWrongKey}},
		{name: "digest edited and re-signed",
			damage: func(t *testing.T, fx *fixture) {
				fx.resign(t, func(m *snapshot.Manifest) { m.Digest = snapshot.EmptyDigest })
			},
			want: []Kind{KindDigest}},
		{name: "null counts edited and re-signed",
			damage: func(t *testing.T, fx *fixture) {
				fx.resign(t, func(m *snapshot.Manifest) { m.NullCounts["姓名"] = 3 })
			},
			want: []Kind{KindNullCounts}},
		{name: "schema edited and re-signed",
			damage: func(t *testing.T, fx *fixture) {
				fx.resign(t, func(m *snapshot.Manifest) { m.Schema[2].Type = "decimal(14, 2)" })
			},
			want: []Kind{KindSchema, KindSchema}},
		{name: "unexpected file",
			damage: func(t *testing.T, fx *fixture) {
				os.WriteFile(fx.path("data-00009.parquet"), []byte("PAR1"), 0o600)
			},
			want: []Kind{KindUnexpectedFile}, file: "data-00009.parquet"},
		{name: "two problems",
			damage: func(t *testing.T, fx *fixture) {
				os.Remove(fx.path("data-00001.parquet"))
				p := fx.path("rejects-00000.parquet")
				st, _ := os.Stat(p)
				os.Truncate(p, st.Size()/2)
			},
			want: []Kind{KindMissingFile, KindTruncated}},
		{name: "three problems with a tampered manifest",
			damage: func(t *testing.T, fx *fixture) {
				b, _ := os.ReadFile(fx.path(snapshot.ManifestName))
				i := bytes.Index(b, []byte("csv:fixture"))
				flipByte(t, fx.path(snapshot.ManifestName), func(int) int { return i + 4 })
				os.Remove(fx.path("data-00000.parquet"))
				flipByte(t, fx.path("data-00001.parquet"), func(n int) int { return n / 2 })
			},
			want: []Kind{KindManifestTampered, KindMissingFile, KindChecksum}},
	}
	details := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t, "customers", now)
			if tc.damage != nil {
				tc.damage(t, fx)
			}
			keys, auth := fx.keys, fx.auth
			if tc.keys != nil {
				keys = tc.keys
			}
			if tc.auth != nil {
				auth = tc.auth
			}
			res, err := Check(context.Background(), fx.store, fx.m.Ref(), keys, auth, Options{RestoreDrill: true, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || !errors.Is(res.Err(), ErrFailed) {
				t.Fatal("damaged snapshot verified OK")
			}
			if got := kinds(res); !slices.Equal(got, tc.want) {
				t.Fatalf("kinds %v, want %v\n%v", got, tc.want, res.Err())
			}
			for _, p := range res.Problems {
				if p.Detail == "" {
					t.Errorf("problem without detail: %+v", p)
				}
			}
			if tc.file != "" && res.Problems[0].File != tc.file {
				t.Errorf("file %q, want %q", res.Problems[0].File, tc.file)
			}
			if len(tc.want) == 1 {
				details[res.Problems[0].String()] = true
			}
			assertNoSecrets(t, fx, res, "")
			t.Log(res.Err())
		})
	}
	if len(details) < 10 {
		t.Errorf("only %d distinct messages for the single-problem cases", len(details))
	}
}

// assertNoSecrets checks that neither data keys nor personal values leak
// into results, errors or logs.
func assertNoSecrets(t *testing.T, fx *fixture, res *Result, logs string) {
	t.Helper()
	js, _ := json.Marshal(res)
	out := string(js) + logs
	if err := res.Err(); err != nil {
		out += err.Error()
	}
	if strings.Contains(out, secretName) {
		t.Errorf("personal data in result or log: %s", out)
	}
	s, err := snapshot.OpenUnverified(context.Background(), fx.store, fx.m.Ref(), fx.keys)
	if err != nil {
		return
	}
	for _, f := range s.Manifest().Files {
		dek, err := s.DataKey(f.Name)
		if err != nil {
			continue
		}
		for _, enc := range []string{base64.StdEncoding.EncodeToString(dek), hex.EncodeToString(dek)} {
			if strings.Contains(out, enc) {
				t.Errorf("data key of %s in result or log", f.Name)
			}
		}
	}
}

func TestCheckAll(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC)
	fx := newFixture(t, "customers", t0)
	first := fx.m
	fx.write(t, "customers", t0.Add(time.Hour))
	// The newest customers snapshot has a broken manifest: it must still be
	// the one checked, and fail.
	os.WriteFile(fx.path(snapshot.ManifestName), []byte("{"), 0o600)
	fx.write(t, "orders", t0)

	results, err := CheckAll(ctx, fx.store, fx.keys, fx.auth, Options{SkipDuckDB: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	byTable := map[string]*Result{}
	for _, r := range results {
		byTable[r.Table] = r
	}
	if byTable["orders"] == nil || !byTable["orders"].OK {
		t.Errorf("orders: %+v", byTable["orders"])
	}
	c := byTable["customers"]
	if c == nil || c.OK || c.ID == first.ID || !c.Has(KindManifestTampered) {
		t.Errorf("customers: %+v", c)
	}

	results, err = CheckAll(ctx, fx.store, fx.keys, fx.auth, Options{SkipDuckDB: true, AllSnapshots: true})
	if err != nil || len(results) != 3 {
		t.Fatalf("all: %d results, %v", len(results), err)
	}
	var ok int
	for _, r := range results {
		if r.OK {
			ok++
		}
	}
	if ok != 2 {
		t.Errorf("%d OK, want 2", ok)
	}
}

func TestCheckNotFound(t *testing.T) {
	fx := newFixture(t, "customers", time.Now())
	_, err := Check(context.Background(), fx.store, "customers/20200101T000000Z-000000", fx.keys, fx.auth, Options{})
	if !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

// TestDuckDBFailureIsReportedWithoutKey feeds DuckDB a wrong data key: the
// problem is reported as duckdb and its text never holds the key.
func TestDuckDBFailureIsReportedWithoutKey(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "customers", time.Now())
	s, err := snapshot.OpenUnverified(ctx, fx.store, fx.m.Ref(), fx.keys)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := s.Manifest().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	wrong := make([]byte, 32)
	rand.Read(wrong)
	files := s.Manifest().DataFiles()[:1]
	c := &checker{ctx: ctx, store: fx.store, dir: s.Dir(), keys: fx.keys, auth: fx.auth, res: &Result{},
		s: s, m: s.Manifest(), schema: schema, deks: map[string][]byte{files[0].Name: wrong}}
	c.opts.defaults()
	d, _ := snapshot.NewDigester(schema)
	if err := c.duckCheck(files, d); err != nil {
		t.Fatal(err)
	}
	if got := kinds(c.res); !slices.Equal(got, []Kind{KindDuckDB}) {
		t.Fatalf("kinds %v", got)
	}
	msg := c.res.Problems[0].String()
	if strings.Contains(msg, base64.StdEncoding.EncodeToString(wrong)) {
		t.Fatalf("key in message: %s", msg)
	}
	t.Log(msg)
}
