package snapshot

import "testing"

// FuzzParseLedgerRecord: hostile ledger records never panic, and whatever
// parses names itself (its file name matches its content).
func FuzzParseLedgerRecord(f *testing.F) {
	rec := &LedgerRecord{Kind: LedgerCommit, Table: "customers", ID: "20261122T021500Z-3f9a1c", Seq: 7, RunID: "r",
		ManifestSHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	name, data, err := EncodeLedgerRecord(rec, newTestAuth("a1"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(name, data)
	f.Add("000000000001-forget-20261122T021500Z-3f9a1c.json", []byte(`{"format":1,"kind":"forget","table":"t","id":"20261122T021500Z-3f9a1c","seq":1,"time":"2026-01-01T00:00:00Z"}`))
	f.Add("x.json", []byte(`{"format":1}`))
	f.Add("", []byte("{"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		r, err := ParseLedgerRecord(name, b)
		if err != nil {
			return
		}
		if r.Name() != name || r.Seq < 1 || ValidTable(r.Table) != nil || !ValidID(r.ID) {
			t.Fatalf("accepted an inconsistent record %q: %+v", name, r)
		}
		if _, err := BuildLedger(r.Table, map[string][]byte{name: b}, nil); err != nil && r.Kind == LedgerCommit {
			t.Fatalf("a parsed commit does not build a ledger: %v", err)
		}
	})
}
