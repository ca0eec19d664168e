package backup

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// testKeys wraps data keys with AES-256-GCM under one fixed key.
type testKeys struct{}

func (testKeys) aead() cipher.AEAD {
	k := sha256.Sum256([]byte("backup-test-wrap"))
	b, _ := aes.NewCipher(k[:])
	a, _ := cipher.NewGCM(b)
	return a
}

func (k testKeys) WrapKey(dek, ad []byte) (string, []byte, error) {
	a := k.aead()
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return "k1", a.Seal(nonce, nonce, dek, ad), nil
}

func (k testKeys) UnwrapKey(w, ad []byte) ([]byte, error) {
	a := k.aead()
	if len(w) < a.NonceSize() {
		return nil, errors.New("short")
	}
	return a.Open(nil, w[:a.NonceSize()], w[a.NonceSize():], ad)
}

type testAuth struct{}

func (testAuth) Sign(msg []byte) ([]byte, error) {
	m := hmac.New(sha256.New, []byte("backup-test-mac"))
	m.Write(msg)
	return m.Sum(nil), nil
}

func (a testAuth) Verify(msg, tag []byte) error {
	want, _ := a.Sign(msg)
	if !hmac.Equal(want, tag) {
		return errors.New("bad tag")
	}
	return nil
}

// writeSnapshots writes n snapshots of table "customers" with rows rows.
func writeSnapshots(t *testing.T, store string, n, rows int) []*snapshot.Manifest {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer alloc.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "note", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	var out []*snapshot.Manifest
	for i := 0; i < n; i++ {
		w, err := snapshot.Create(context.Background(), snapshot.Options{Store: store, Table: "customers", Source: "test",
			Keys: testKeys{}, Auth: testAuth{}, RunID: fmt.Sprintf("run-%d", i), MaxRowsPerFile: int64(rows / 3), Alloc: alloc}, schema)
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewRecordBuilder(alloc, schema)
		for r := 0; r < rows; r++ {
			b.Field(0).(*array.Int64Builder).Append(int64(r))
			noise := make([]byte, 24)
			rand.Read(noise)
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("row %d %x", r, noise))
		}
		rec := b.NewRecordBatch()
		b.Release()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		m, err := w.Commit(context.Background(), int64(rows))
		if err != nil {
			t.Fatal(err)
		}
		w.Abort()
		out = append(out, m)
	}
	return out
}

// faultTarget calls fault once, while the body of the put-th Put is half
// read (a server killed mid-upload).
type faultTarget struct {
	Target
	put   int32
	n     atomic.Int32
	once  sync.Once
	fault func()
}

func (f *faultTarget) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if f.n.Add(1) == f.put {
		r = &midReader{r: r, at: size / 2, fn: func() { f.once.Do(f.fault) }}
	}
	return f.Target.Put(ctx, key, r, size)
}

type midReader struct {
	r  io.Reader
	n  int64
	at int64
	fn func()
}

func (m *midReader) Read(p []byte) (int, error) {
	if m.n >= m.at {
		m.fn()
	}
	if int64(len(p)) > 4096 {
		p = p[:4096]
	}
	n, err := m.r.Read(p)
	m.n += int64(n)
	return n, err
}

func TestCopyVerifyFetchAndResume(t *testing.T) {
	store := t.TempDir()
	ms := writeSnapshots(t, store, 2, 3000)
	tg, _ := NewDirTarget("usb", t.TempDir())
	ctx := context.Background()
	rep, err := Copy(ctx, store, tg, testAuth{}, nil, nil)
	if err != nil || len(rep.Copied) != 2 || rep.Files != 2*len(ms[0].Files) {
		t.Fatalf("Copy = %+v, %v", rep, err)
	}
	rep, err = Copy(ctx, store, tg, testAuth{}, nil, nil)
	if err != nil || len(rep.Present) != 2 || rep.Files != 0 {
		t.Fatalf("second Copy = %+v, %v", rep, err)
	}
	// A rotted local file is never copied.
	ms2 := writeSnapshots(t, store, 1, 300)
	f := filepath.Join(snapshot.TableDir(store, "customers"), ms2[0].ID, ms2[0].Files[0].Name)
	b, _ := os.ReadFile(f)
	b[len(b)/2] ^= 1
	os.WriteFile(f, b, 0o600)
	if _, err := Copy(ctx, store, tg, testAuth{}, nil, nil); !errors.Is(err, snapshot.ErrChecksum) {
		t.Fatalf("Copy of a rotted file = %v", err)
	}
	if _, err := tg.Stat(ctx, snapshotKey("customers", ms2[0].ID, ms2[0].Files[0].Name)); !errors.Is(err, ErrNotExist) {
		t.Fatalf("the rotted file was left on the target: %v", err)
	}
	l, err := ReadLedger(ctx, tg, "customers", testAuth{})
	if err != nil || l.Newest() == nil || l.Newest().ID != ms[1].ID {
		t.Fatalf("target latest = %v, %v", l, err)
	}
}

// Fault test: the S3 server is killed while an object is half uploaded.
// The copy fails with a clear error, the half-copied snapshot does not
// count on the target, and after a restart the next copy resumes and
// completes; the copies restore byte for byte.
func TestCopyS3KilledMidUpload(t *testing.T) {
	srv := startS3(t)
	tg := srv.target(t, "kill")
	store := t.TempDir()
	ms := writeSnapshots(t, store, 2, 30000)
	ft := &faultTarget{Target: tg, put: int32(len(ms[0].Files) + 4), fault: srv.Kill} // the second data file of the second snapshot
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := Copy(ctx, store, ft, testAuth{}, nil, nil)
	if err == nil {
		t.Fatalf("Copy with the server killed succeeded: %+v", rep)
	}
	t.Logf("error while the server was down: %v", err)
	srv.Restart(t)
	if l, err := ReadLedger(ctx, tg, "customers", testAuth{}); err != nil {
		t.Fatal(err)
	} else if n := l.Newest(); n != nil && n.ID == ms[1].ID {
		t.Fatal("the half-copied snapshot counts on the target")
	}
	rep, err = Copy(ctx, store, tg, testAuth{}, nil, nil)
	if err != nil {
		t.Fatalf("Copy after restart: %v", err)
	}
	if rep.Resumed == 0 {
		t.Errorf("nothing resumed: %+v", rep)
	}
	for _, m := range ms {
		dst := t.TempDir()
		ref, err := Fetch(ctx, tg, dst, m.Ref(), testAuth{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files {
			a, _ := os.ReadFile(filepath.Join(snapshot.TableDir(store, "customers"), m.ID, f.Name))
			b, _ := os.ReadFile(filepath.Join(snapshot.TableDir(dst, "customers"), m.ID, f.Name))
			if !bytes.Equal(a, b) {
				t.Fatalf("%s/%s differs after resume", ref, f.Name)
			}
		}
		if _, err := snapshot.Open(ctx, dst, ref, testKeys{}, testAuth{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Fetch(ctx, tg, t.TempDir(), "customers/latest", testAuth{}); err != nil {
		t.Fatal(err)
	}
}
