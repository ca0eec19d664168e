package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// writeZip writes a zip of name → content entries (deflated) and returns
// its path.
func writeZip(t testing.TB, entries ...string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := zw.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(entries[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "WE_00D000000000001_1.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readZip(t testing.TB, zipPath, entry string, opts CSVOptions) (result, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Alloc = mem
	var res result
	opts.OnReject = func(rj Reject) error { res.rejects = append(res.rejects, rj); return nil }
	r, err := OpenZipCSV(context.Background(), zipPath, entry, opts)
	if err != nil {
		return res, err
	}
	defer r.Release()
	res.schema = r.Schema()
	for r.Next() {
		res.rows = append(res.rows, rowsOf(r.RecordBatch())...)
	}
	res.stats = r.Stats()
	checkInvariant(t, res.stats)
	return res, r.Err()
}

func TestZipCSV(t *testing.T) {
	account := "\"Id\",\"IsDeleted\",\"Name\",\"OwnerId\"\r\n\"001000000000001AAA\",\"false\",\"Société Générale\",\"005000000000001AAA\"\r\n\"001000000000002AAA\",\"true\",\"Persona Jurídica\",\"005000000000002AAA\"\r\n"
	latin1 := "\"Id\",\"LastName\"\r\n\"003000000000001AAA\",\"Jur\xeddica\"\r\n"
	zp := writeZip(t, "Account.csv", account, "Contact.csv", latin1, "__MACOSX/._Account.csv", "junk")
	res, err := readZip(t, zp, "account.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.rows) != 2 || res.rows[1][2] != "Persona Jurídica" || res.rows[0][0] != "001000000000001AAA" || res.rows[1][1] != "true" {
		t.Fatalf("rows %q", res.rows)
	}
	if res.stats.Bytes != int64(len(account)) {
		t.Errorf("bytes %d, want %d", res.stats.Bytes, len(account))
	}
	// A declared Latin encoding decodes the other entry.
	res, err = readZip(t, zp, "Contact.csv", CSVOptions{Encoding: "iso-8859-1"})
	if err != nil || len(res.rows) != 1 || res.rows[0][1] != "Jurídica" {
		t.Fatalf("latin-1 entry: %q %v", res.rows, err)
	}
	// A missing entry names the CSVs the archive has.
	_, err = readZip(t, zp, "Lead.csv", CSVOptions{})
	if !errors.Is(err, ErrZipEntry) || !strings.Contains(err.Error(), "Account.csv, Contact.csv") {
		t.Errorf("missing entry: %v", err)
	}
	// Rejects name the entry inside the zip.
	bad := "a,b\n1,2\n3\n"
	zp2 := writeZip(t, "x/Bad.csv", bad)
	res, err = readZip(t, zp2, "Bad.csv", CSVOptions{})
	if err != nil || len(res.rejects) != 1 || !strings.HasSuffix(res.rejects[0].File, ".zip:x/Bad.csv") || res.rejects[0].Line != 3 {
		t.Errorf("rejects %+v %v", res.rejects, err)
	}
}

// TestZipCorrupt: a damaged entry (CRC mismatch) and a file that is no zip
// fail the table.
func TestZipCorrupt(t *testing.T) {
	content := "Id,Name\n" + strings.Repeat("001000000000001AAA,Acme Widgets Limited\n", 50)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "Account.csv", Method: zip.Store})
	w.Write([]byte(content))
	zw.Close()
	b := buf.Bytes()
	i := bytes.Index(b, []byte("Acme"))
	b[i] = 'X' // stored data changed, CRC no longer matches
	p := filepath.Join(t.TempDir(), "e.zip")
	os.WriteFile(p, b, 0o600)
	if _, err := readZip(t, p, "Account.csv", CSVOptions{}); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("corrupt entry: %v", err)
	}
	p2 := writeFile(t, "n.zip", "Id,Name\n1,2\n")
	if _, err := readZip(t, p2, "Account.csv", CSVOptions{}); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("not a zip: %v", err)
	}
}

func TestSelectEntry(t *testing.T) {
	names := []string{"Account.csv", "export/Contact.csv", "export/Case.csv", "other/Case.csv", "__MACOSX/Lead.csv", ".Lead.csv", "docs/"}
	tests := []struct{ want, got, err string }{
		{"Account.csv", "Account.csv", ""},
		{"ACCOUNT.CSV", "Account.csv", ""},
		{"Contact.csv", "export/Contact.csv", ""},
		{"export/Contact.csv", "export/Contact.csv", ""},
		{"Case.csv", "", "matches 2 files"},
		{"other/Case.csv", "other/Case.csv", ""},
		{"Lead.csv", "", "no Lead.csv"},
		{"docs/", "", "no docs/"},
		{"", "", "no entry"},
	}
	for _, tc := range tests {
		got, err := SelectEntry(names, tc.want)
		if got != tc.got || (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("SelectEntry(%q) = %q, %v; want %q, %q", tc.want, got, err, tc.got, tc.err)
		}
	}
}

// FuzzSelectEntry: entry selection never panics, picks only a listed,
// usable name, and finds an entry given its exact name when it is the only
// one with that base name.
func FuzzSelectEntry(f *testing.F) {
	f.Add("Account.csv\nContact.csv", "account.csv")
	f.Add("a/B.csv\nc/B.csv\n__MACOSX/B.csv", "B.csv")
	f.Add("x/\n.y.csv", "x/")
	f.Fuzz(func(t *testing.T, list, want string) {
		names := strings.Split(list, "\n")
		got, err := SelectEntry(names, want)
		if err != nil {
			if got != "" || !errors.Is(err, ErrZipEntry) {
				t.Fatalf("error %v with %q", err, got)
			}
			return
		}
		found := false
		for _, n := range names {
			found = found || n == got
		}
		if !found || strings.HasSuffix(got, "/") || strings.HasPrefix(got, "__MACOSX/") {
			t.Fatalf("picked %q from %q", got, names)
		}
	})
}

// BenchmarkZipVsCSV reads the same text as a plain CSV file and as a
// deflated entry of a zip: the cost of reading straight from the archive.
func BenchmarkZipVsCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Id,IsDeleted,LastName,FirstName,Email,MobilePhone,CreatedDate\n")
	for i := 0; sb.Len() < 32<<20; i++ {
		sb.WriteString("0035g00000")
		sb.WriteString(strings.Repeat("x", 5))
		sb.WriteString("AAA,false,Zhang,Wei,wei.zhang")
		sb.WriteString(string(rune('a' + i%26)))
		sb.WriteString("@example.com,13800138000,2026-10-31T08:15:00.000Z\n")
	}
	text := sb.String()
	csvPath := writeFile(b, "Contact.csv", text)
	zipPath := writeZip(b, "Contact.csv", text)
	for _, tc := range []struct {
		name string
		open func() (TableReader, error)
	}{
		{"csv", func() (TableReader, error) { return OpenCSV(context.Background(), csvPath, CSVOptions{}) }},
		{"zip", func() (TableReader, error) {
			return OpenZipCSV(context.Background(), zipPath, "Contact.csv", CSVOptions{})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for i := 0; i < b.N; i++ {
				r, err := tc.open()
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				r.Release()
			}
		})
	}
}

// TestZipLatin1Auto: a Salesforce export written in ISO-8859-1 (the
// issue's "Persona Jurídica" case), read from the zip with encoding auto,
// decodes exactly or stops with the ambiguity error: never mojibake.
func TestZipLatin1Auto(t *testing.T) {
	names := []string{"Persona Jurídica", "Compañía Española de Petróleos", "Société Générale", "Müller & Söhne GmbH", "Açores Comunicações", "Crème Brûlée Café", "Niño Pérez", "Ångström Ltd"}
	var utf, latin strings.Builder
	utf.WriteString("\"Id\",\"Name\",\"BillingCity\"\r\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&utf, "\"001%015d\",\"%s\",\"%s\"\r\n", i, names[i%len(names)], []string{"São Paulo", "Málaga", "Zürich", "Besançon"}[i%4])
	}
	for _, r := range utf.String() {
		latin.WriteByte(byte(r)) // every rune is below U+0100
	}
	zp := writeZip(t, "Account.csv", latin.String())
	res, err := readZip(t, zp, "Account.csv", CSVOptions{})
	if errors.Is(err, ErrAmbiguousEncoding) {
		t.Logf("auto stopped: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(res.rows) != 400 || res.rows[0][1] != "Persona Jurídica" || res.rows[1][2] != "Málaga" || len(res.rejects) != 0 {
		t.Fatalf("decoded %d rows, first %q, encoding %s", len(res.rows), res.rows[0], res.stats.Encoding)
	}
	t.Logf("auto chose %s (confidence %.2f)", res.stats.Encoding, res.stats.EncodingConfidence)
}
