package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// conformance runs the Target contract against a fresh, empty target.
// Every target implementation must pass it.
// concurrent=false skips the concurrent-puts case for the s3rver stand-in,
// which fails it with internal errors (SeaweedFS and directories pass).
func conformance(t *testing.T, newTarget func(t *testing.T) Target, concurrent bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	get := func(t *testing.T, tg Target, key string) []byte {
		t.Helper()
		r, err := tg.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	put := func(t *testing.T, tg Target, key string, b []byte) {
		t.Helper()
		if err := tg.Put(ctx, key, bytes.NewReader(b), int64(len(b))); err != nil {
			t.Fatalf("Put(%s): %v", key, err)
		}
	}

	t.Run("put get stat overwrite", func(t *testing.T) {
		tg := newTarget(t)
		for _, b := range [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte{0, 1, 2}, 100_000)} {
			put(t, tg, "snapshots/t/a/data-00000.parquet", b)
			if got := get(t, tg, "snapshots/t/a/data-00000.parquet"); !bytes.Equal(got, b) {
				t.Fatalf("Get after Put of %d bytes returned %d bytes", len(b), len(got))
			}
			st, err := tg.Stat(ctx, "snapshots/t/a/data-00000.parquet")
			if err != nil || st.Size != int64(len(b)) {
				t.Fatalf("Stat = %+v, %v", st, err)
			}
		}
	})
	t.Run("missing objects", func(t *testing.T) {
		tg := newTarget(t)
		if _, err := tg.Get(ctx, "no/such"); !errors.Is(err, ErrNotExist) {
			t.Errorf("Get missing = %v", err)
		}
		if _, err := tg.Stat(ctx, "no/such"); !errors.Is(err, ErrNotExist) {
			t.Errorf("Stat missing = %v", err)
		}
		if err := tg.Delete(ctx, "no/such"); err != nil {
			t.Errorf("Delete missing = %v", err)
		}
		if objs, err := tg.List(ctx, "no/"); err != nil || len(objs) != 0 {
			t.Errorf("List empty = %v, %v", objs, err)
		}
	})
	t.Run("list sorted by prefix and complete", func(t *testing.T) {
		tg := newTarget(t)
		var want []string
		for i := 0; i < 30; i++ {
			k := fmt.Sprintf("snapshot-ledger/t/%012d-commit-x.json", 29-i)
			put(t, tg, k, []byte{byte(i)})
		}
		for i := 0; i < 30; i++ {
			want = append(want, fmt.Sprintf("snapshot-ledger/t/%012d-commit-x.json", i))
		}
		put(t, tg, "snapshot-ledger/t2/x.json", []byte("x"))
		put(t, tg, "snapshots/t/a/manifest.json", []byte("m"))
		objs, err := tg.List(ctx, "snapshot-ledger/t/")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.Key)
			if o.Size != 1 {
				t.Errorf("%s: size %d", o.Key, o.Size)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("List = %v", got)
		}
		all, err := tg.List(ctx, "")
		if err != nil || len(all) != 32 {
			t.Fatalf("List all = %d, %v", len(all), err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		tg := newTarget(t)
		put(t, tg, "a/b/c", []byte("x"))
		if err := tg.Delete(ctx, "a/b/c"); err != nil {
			t.Fatal(err)
		}
		if _, err := tg.Stat(ctx, "a/b/c"); !errors.Is(err, ErrNotExist) {
			t.Fatalf("Stat after Delete = %v", err)
		}
		if objs, _ := tg.List(ctx, "a/"); len(objs) != 0 {
			t.Fatalf("List after Delete = %v", objs)
		}
	})
	t.Run("short source stores nothing, long source is cut at size", func(t *testing.T) {
		tg := newTarget(t)
		put(t, tg, "k", []byte("old"))
		if err := tg.Put(ctx, "k", strings.NewReader("abc"), 10); err == nil {
			t.Error("Put with a short source succeeded")
		}
		if got := get(t, tg, "k"); string(got) != "old" {
			t.Errorf("after a failed Put the object is %q", got)
		}
		// Put reads exactly size bytes.
		put(t, tg, "k", []byte("abc"))
		if err := tg.Put(ctx, "k", strings.NewReader("abcdefghijkl"), 5); err != nil {
			t.Fatal(err)
		}
		if got := get(t, tg, "k"); string(got) != "abcde" {
			t.Errorf("Put of 5 bytes from a longer source stored %q", got)
		}
		if err := tg.Put(ctx, "new", strings.NewReader("abc"), 10); err == nil {
			t.Error("Put with a short source succeeded")
		}
		if _, err := tg.Stat(ctx, "new"); !errors.Is(err, ErrNotExist) {
			t.Errorf("a failed Put left an object: %v", err)
		}
	})
	t.Run("failed reader stores nothing", func(t *testing.T) {
		tg := newTarget(t)
		r := io.MultiReader(bytes.NewReader(make([]byte, 1000)), errReader{})
		if err := tg.Put(ctx, "broken", r, 5000); err == nil {
			t.Fatal("Put from a failing reader succeeded")
		}
		if _, err := tg.Stat(ctx, "broken"); !errors.Is(err, ErrNotExist) {
			t.Errorf("a failed Put left an object: %v", err)
		}
		if objs, _ := tg.List(ctx, ""); len(objs) != 0 {
			t.Errorf("a failed Put left %v", objs)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		tg := newTarget(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		if err := tg.Put(c, "k", strings.NewReader("x"), 1); err == nil {
			t.Error("Put with a cancelled context succeeded")
		}
		if _, err := tg.Stat(ctx, "k"); !errors.Is(err, ErrNotExist) {
			t.Errorf("a cancelled Put left an object: %v", err)
		}
	})
	t.Run("invalid keys", func(t *testing.T) {
		tg := newTarget(t)
		for _, k := range []string{"", "/abs", "a/../b", "a//b", "./a", "a/", `a\b`, "a\x00b", "a\nb"} {
			if err := tg.Put(ctx, k, strings.NewReader("x"), 1); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Put(%q) = %v", k, err)
			}
			if _, err := tg.Get(ctx, k); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Get(%q) = %v", k, err)
			}
			if err := tg.Delete(ctx, k); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v", k, err)
			}
		}
	})
	t.Run("unicode keys", func(t *testing.T) {
		tg := newTarget(t)
		put(t, tg, "snapshots/订单/x/data-00000.parquet", []byte("数据"))
		if got := get(t, tg, "snapshots/订单/x/data-00000.parquet"); string(got) != "数据" {
			t.Fatalf("got %q", got)
		}
		objs, err := tg.List(ctx, "snapshots/订单/")
		if err != nil || len(objs) != 1 || objs[0].Key != "snapshots/订单/x/data-00000.parquet" {
			t.Fatalf("List = %v, %v", objs, err)
		}
	})
	t.Run("concurrent puts", func(t *testing.T) {
		if !concurrent {
			t.Skip("s3rver stand-in fails concurrent puts itself; the CI server (weed) runs this")
		}
		tg := newTarget(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		data := make([][]byte, 16)
		for i := range data {
			data[i] = make([]byte, 10_000+i)
			rand.Read(data[i])
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- tg.Put(ctx, fmt.Sprintf("c/%02d", i), bytes.NewReader(data[i]), int64(len(data[i])))
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range data {
			if got := get(t, tg, fmt.Sprintf("c/%02d", i)); !bytes.Equal(got, data[i]) {
				t.Fatalf("object %d differs", i)
			}
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk read error") }

func TestDirTargetConformance(t *testing.T) {
	conformance(t, func(t *testing.T) Target {
		d, err := NewDirTarget("usb", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}, true)
}

func TestS3TargetConformance(t *testing.T) {
	srv := startS3(t)
	n := 0
	conformance(t, func(t *testing.T) Target {
		n++
		return srv.target(t, fmt.Sprintf("conf-%d", n))
	}, srv.Kind != "s3rver")
}
