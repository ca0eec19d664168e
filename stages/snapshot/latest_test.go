package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// twelveInOneSecond writes 12 snapshots of customers that all carry the
// same creation second, like 12 runs in 3 seconds: order must come from
// the sequence, not the clock or the random part of the id.
func twelveInOneSecond(t *testing.T, store string) []*Manifest {
	t.Helper()
	var ms []*Manifest
	for i := 0; i < 12; i++ {
		opts := testOptions(t, store)
		opts.Now = func() time.Time { return fixedNow }
		opts.RunID = fmt.Sprintf("run-%02d", i+1)
		ms = append(ms, writeSnapshot(t, opts, fullSchema(), 2, 2, nil))
	}
	return ms
}

func TestLatestIsTheLastCommitNotTheClock(t *testing.T) {
	store := t.TempDir()
	ms := twelveInOneSecond(t, store)
	for i, m := range ms {
		if m.Seq != int64(i+1) || m.RunID != fmt.Sprintf("run-%02d", i+1) {
			t.Fatalf("snapshot %d: seq %d run %q", i, m.Seq, m.RunID)
		}
	}
	auth := newTestAuth("a1")
	for _, a := range []Authenticator{nil, auth} {
		m, err := LatestOf(store, "customers", a)
		if err != nil || m.ID != ms[11].ID {
			t.Fatalf("latest = %v, %v; want the 12th (%s)", m, err, ms[11].ID)
		}
	}
	s, err := Open(context.Background(), store, "customers/latest", newTestKeys("k1"), auth)
	if err != nil || s.Manifest().ID != ms[11].ID {
		t.Fatalf("Open latest = %v", err)
	}
	list, err := List(store)
	if err != nil || len(list) != 12 || list[11].ID != ms[11].ID || list[0].ID != ms[0].ID {
		t.Fatalf("List order wrong: %v", err)
	}
	removed, err := Prune(store, "customers", 1, auth)
	if err != nil || len(removed) != 11 {
		t.Fatalf("Prune = %v, %v", removed, err)
	}
	list, _ = List(store)
	if len(list) != 1 || list[0].ID != ms[11].ID {
		t.Fatalf("Prune kept %v, want only the 12th", list)
	}
	if m, err := LatestOf(store, "customers", auth); err != nil || m.ID != ms[11].ID {
		t.Fatalf("latest after prune = %v, %v", m, err)
	}
	// The next snapshot continues the sequence.
	opts := testOptions(t, store)
	opts.Now = func() time.Time { return fixedNow }
	if m := writeSnapshot(t, opts, fullSchema(), 1, 1, nil); m.Seq != 13 {
		t.Fatalf("next seq = %d", m.Seq)
	}
}

// Every way of damaging the newest snapshot or the ledger makes latest
// fail with ErrLatestUnproven, never fall back to the 11th snapshot.
func TestLatestFailsLoudlyOnDamage(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, store string, ms []*Manifest)
		also   error // a second sentinel the error must wrap
	}{
		{"manifest edited", func(t *testing.T, store string, ms []*Manifest) {
			p := manifestPath(store, ms[11])
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"rows": 2`, `"rows": 3`, 1)), 0o600)
		}, nil},
		{"manifest edited and valid", func(t *testing.T, store string, ms []*Manifest) {
			p := manifestPath(store, ms[11])
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"source": "csv:testdata"`, `"source": "csv:other"`, 1)), 0o600)
		}, ErrManifestTampered},
		{"manifest truncated", func(t *testing.T, store string, ms []*Manifest) {
			p := manifestPath(store, ms[11])
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, ErrManifestInvalid},
		{"manifest empty", func(t *testing.T, store string, ms []*Manifest) {
			os.WriteFile(manifestPath(store, ms[11]), nil, 0o600)
		}, ErrManifestInvalid},
		{"manifest deleted", func(t *testing.T, store string, ms []*Manifest) {
			os.Remove(manifestPath(store, ms[11]))
		}, ErrMissingFile},
		{"manifest replayed from the 11th", func(t *testing.T, store string, ms []*Manifest) {
			b, _ := os.ReadFile(manifestPath(store, ms[10]))
			os.WriteFile(manifestPath(store, ms[11]), b, 0o600)
		}, ErrManifestTampered},
		{"snapshot directory deleted", func(t *testing.T, store string, ms []*Manifest) {
			os.RemoveAll(filepath.Dir(manifestPath(store, ms[11])))
		}, ErrMissingFile},
		{"directory replaced by the 11th", func(t *testing.T, store string, ms []*Manifest) {
			d12 := filepath.Dir(manifestPath(store, ms[11]))
			os.RemoveAll(d12)
			os.Rename(filepath.Dir(manifestPath(store, ms[10])), d12)
		}, ErrManifestTampered},
		{"newest ledger record deleted", func(t *testing.T, store string, ms []*Manifest) {
			os.Remove(ledgerRecordPath(store, ms[11]))
		}, ErrLedgerDamaged},
		{"ledger record edited", func(t *testing.T, store string, ms []*Manifest) {
			p := ledgerRecordPath(store, ms[11])
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"run_id": "run-12"`, `"run_id": "run-99"`, 1)), 0o600)
		}, ErrLedgerDamaged},
		{"ledger record renamed to a lower sequence", func(t *testing.T, store string, ms []*Manifest) {
			p := ledgerRecordPath(store, ms[11])
			os.Rename(p, strings.Replace(p, "000000000012-", "000000000000-", 1))
		}, ErrLedgerDamaged},
		{"ledger deleted", func(t *testing.T, store string, ms []*Manifest) {
			os.RemoveAll(filepath.Join(store, LedgerDir))
		}, ErrLedgerDamaged},
		{"garbage file in the ledger", func(t *testing.T, store string, ms []*Manifest) {
			os.WriteFile(filepath.Join(store, LedgerDir, "customers", "zzz.json"), []byte("{}"), 0o600)
		}, ErrLedgerDamaged},
	}
	auth := newTestAuth("a1")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := t.TempDir()
			ms := twelveInOneSecond(t, store)
			tc.damage(t, store, ms)
			for _, a := range []Authenticator{nil, auth} {
				m, err := LatestOf(store, "customers", a)
				if a == nil && tc.name == "ledger record edited" {
					continue // only the keyset can tell an edited record
				}
				if !errors.Is(err, ErrLatestUnproven) {
					t.Fatalf("auth=%v: latest = %v, %v; want ErrLatestUnproven", a != nil, m, err)
				}
				if tc.also != nil && a != nil && !errors.Is(err, tc.also) {
					t.Errorf("error %v does not wrap %v", err, tc.also)
				}
			}
			if _, err := Open(context.Background(), store, "customers/latest", newTestKeys("k1"), auth); !errors.Is(err, ErrLatestUnproven) {
				t.Fatalf("Open latest = %v", err)
			}
			if _, err := Resolve(store, "customers"); tc.name != "ledger record edited" && !errors.Is(err, ErrLatestUnproven) {
				t.Fatalf("Resolve table = %v", err)
			}
		})
	}
}

// A writer that crashed after the rename but before the ledger record
// leaves an orphan: latest fails loudly until the next writer adopts it.
func TestOrphanAdoptedByNextRun(t *testing.T) {
	store := t.TempDir()
	ms := twelveInOneSecond(t, store)
	os.Remove(ledgerRecordPath(store, ms[11]))
	if _, err := LatestOf(store, "customers", nil); !errors.Is(err, ErrLatestUnproven) {
		t.Fatalf("latest with an orphan = %v", err)
	}
	opts := testOptions(t, store)
	m := writeSnapshot(t, opts, fullSchema(), 1, 1, nil)
	if m.Seq != 13 {
		t.Fatalf("seq after adoption = %d", m.Seq)
	}
	l, err := ReadLedger(store, "customers", newTestAuth("a1"))
	if err != nil || l.Entry(ms[11].ID) == nil || l.Entry(ms[11].ID).Seq != 12 {
		t.Fatalf("orphan not adopted: %v", err)
	}
	if got, err := LatestOf(store, "customers", newTestAuth("a1")); err != nil || got.ID != m.ID {
		t.Fatalf("latest = %v, %v", got, err)
	}
}

// Rewrap is recorded in the ledger, so latest still resolves, and a second
// rewrap changes nothing.
func TestRewrapKeepsLatestProvable(t *testing.T) {
	store := t.TempDir()
	ms := twelveInOneSecond(t, store)
	keys := newTestKeys("k1")
	auth := newTestAuth("a1")
	keys.add("k2")
	m, err := Rewrap(context.Background(), store, ms[11].Ref(), keys, auth)
	if err != nil || m.Files[0].KeyID != "k2" {
		t.Fatalf("Rewrap = %v", err)
	}
	if got, err := LatestOf(store, "customers", auth); err != nil || got.ID != ms[11].ID {
		t.Fatalf("latest after rewrap = %v", err)
	}
	before, _ := os.ReadFile(manifestPath(store, ms[11]))
	if _, err := Rewrap(context.Background(), store, ms[11].Ref(), keys, auth); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(manifestPath(store, ms[11]))
	if string(before) != string(after) {
		t.Fatal("second rewrap rewrote the manifest")
	}
}

func manifestPath(store string, m *Manifest) string {
	return filepath.Join(TableDir(store, m.Table), m.ID, ManifestName)
}

func ledgerRecordPath(store string, m *Manifest) string {
	r := &LedgerRecord{Kind: LedgerCommit, ID: m.ID, Seq: m.Seq}
	return filepath.Join(store, LedgerDir, m.Table, r.Name())
}
