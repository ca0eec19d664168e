package anonymize

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/vigil-dg/vigil/rules"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/expected")

// customer is one synthetic CRM record.
type customer struct {
	id, name, phone, email, idNumber string
	birth                            arrow.Date32
	visit                            arrow.Timestamp
	age                              int64
	gender, postal, city             string
	income                           float64
	diagnosis, note                  string
}

var customerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "customer_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "id_number", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "birth_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "last_visit", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "gender", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "postal", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "income", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "diagnosis", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func makeCustomers(n int, seed uint64) []customer {
	r := rand.New(rand.NewPCG(seed, 99))
	s := newSyntheticCustomers()
	surnames := []string{"王", "李", "张", "刘", "陈", "杨"}
	out := make([]customer, n)
	for i := range out {
		q := s.record(r)
		age := int64(0)
		fmt.Sscan(q[0], &age)
		birth := time.Date(2024-int(age), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		body := fmt.Sprintf("110105%s%03d", birth.Format("20060102"), r.IntN(1000))
		chk, _ := rules.GB11643CheckChar(body)
		out[i] = customer{
			id:        fmt.Sprintf("C%06d", i+1),
			name:      surnames[r.IntN(len(surnames))] + []string{"伟", "芳", "娜", "敏", "静"}[r.IntN(5)],
			phone:     fmt.Sprintf("13%d%08d", r.IntN(10), r.IntN(100000000)),
			email:     fmt.Sprintf("user%d@example.com", i+1),
			idNumber:  body + string(chk),
			birth:     arrow.Date32FromTime(birth),
			visit:     arrow.Timestamp(time.Date(2025, 3, 1+r.IntN(28), 10, 30, 0, 0, time.UTC).UnixMicro()),
			age:       age,
			gender:    q[1],
			postal:    q[2],
			city:      q[3],
			income:    float64(3000 + r.IntN(50000)),
			diagnosis: []string{"flu", "asthma", "diabetes", "hypertension", "none", "allergy"}[r.IntN(6)],
			note:      "called about order " + fmt.Sprint(r.IntN(1000)),
		}
	}
	out[3].note = ""
	return out
}

// opener returns DatasetRequest.Open over the customers, in batches.
func opener(mem memory.Allocator, rows []customer, batch int, opened *int) func(context.Context) (array.RecordReader, error) {
	return func(context.Context) (array.RecordReader, error) {
		*opened++
		var recs []arrow.RecordBatch
		for lo := 0; lo < len(rows); lo += batch {
			hi := min(lo+batch, len(rows))
			b := array.NewRecordBuilder(mem, customerSchema)
			for _, c := range rows[lo:hi] {
				b.Field(0).(*array.StringBuilder).Append(c.id)
				b.Field(1).(*array.StringBuilder).Append(c.name)
				b.Field(2).(*array.StringBuilder).Append(c.phone)
				b.Field(3).(*array.StringBuilder).Append(c.email)
				b.Field(4).(*array.StringBuilder).Append(c.idNumber)
				b.Field(5).(*array.Date32Builder).Append(c.birth)
				b.Field(6).(*array.TimestampBuilder).Append(c.visit)
				b.Field(7).(*array.Int64Builder).Append(c.age)
				if c.gender == "" {
					b.Field(8).(*array.StringBuilder).AppendNull()
				} else {
					b.Field(8).(*array.StringBuilder).Append(c.gender)
				}
				b.Field(9).(*array.StringBuilder).Append(c.postal)
				b.Field(10).(*array.StringBuilder).Append(c.city)
				b.Field(11).(*array.Float64Builder).Append(c.income)
				b.Field(12).(*array.StringBuilder).Append(c.diagnosis)
				if c.note == "" {
					b.Field(13).(*array.StringBuilder).AppendNull()
				} else {
					b.Field(13).(*array.StringBuilder).Append(c.note)
				}
			}
			recs = append(recs, b.NewRecordBatch())
			b.Release()
		}
		rdr, err := array.NewRecordReader(customerSchema, recs)
		for _, r := range recs {
			r.Release()
		}
		return rdr, err
	}
}

func customerClasses() map[string]ColumnClass {
	return map[string]ColumnClass{
		"customer_id": {ID: "customer_id", Category: rules.DirectIdentifier},
		"name":        {ID: "person_name", Category: rules.DirectIdentifier},
		"phone":       {ID: "cn_mobile", Category: rules.DirectIdentifier, Default: &rules.Protection{Method: "mask", Params: map[string]int{"keep_prefix": 3, "keep_suffix": 4}}},
		"email":       {ID: "email", Category: rules.DirectIdentifier, Default: &rules.Protection{Method: "mask"}},
		"id_number":   {ID: "cn_resident_id", Category: rules.PIPLSensitive},
		"birth_date":  {ID: "birth_date", Category: rules.QuasiIdentifier, Default: &rules.Protection{Method: "date_shift", Params: map[string]int{"max_days": 30}}},
		"last_visit":  {ID: "event_time", Category: rules.QuasiIdentifier},
		"age":         {ID: "age", Category: rules.QuasiIdentifier},
		"gender":      {ID: "gender", Category: rules.QuasiIdentifier},
		"postal":      {ID: "postal_code", Category: rules.QuasiIdentifier},
		"city":        {ID: "city", Category: rules.QuasiIdentifier},
		"income":      {ID: "income", Category: rules.SensitiveAttribute, Default: &rules.Protection{Method: "bucket", Params: map[string]int{"width": 10000}}},
		"diagnosis":   {ID: "health", Category: rules.PIPLSensitive},
		"note":        {ID: rules.ClassNone, Category: rules.CategoryNone},
	}
}

func customerPolicy() Policy {
	s := newSyntheticCustomers()
	gender, _ := NewTableHierarchy("gender", [][]string{{"F", "*"}, {"M", "*"}})
	return Policy{
		Table: "customers",
		Columns: map[string]Protection{
			"customer_id": {Method: MethodPseudonym, Domain: "customer"},
			"name":        {Method: MethodRedact},
			"id_number":   {Method: MethodPseudonym, Format: "cn_id"},
			"last_visit":  {Method: MethodDateShift, MaxShiftDays: 30, Insensitive: true, Reason: "test: shifted dates are asserted below"},
			"birth_date":  {Method: MethodDateShift, MaxShiftDays: 30, Insensitive: true, Reason: "test: shifted dates are asserted below"},
			"diagnosis":   {Method: MethodKeep, Insensitive: true, Reason: "test: released raw to check keep"},
		},
		SubjectColumn: "customer_id",
		Hierarchies:   map[string]Hierarchy{"gender": gender, "city": s.cities},
		Privacy: PrivacyOptions{
			QuasiIdentifiers: []string{"age", "gender", "postal", "city"},
			Hierarchies:      map[string]Hierarchy{"age": AgeBands(), "postal": PrefixHierarchy{MaxMasked: 5}},
			K:                5, Suppression: 0.05, Metric: MetricLoss,
		},
	}
}

func duckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestWriteDatasetCustomers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := makeCustomers(3000, 1)
	root := t.TempDir()
	var logs bytes.Buffer
	opened := 0
	req := DatasetRequest{
		Root: root, Table: "customers", Open: opener(mem, rows, 700, &opened),
		Policy: customerPolicy(), Classes: customerClasses(), Tokenizer: keyA, PseudonymKeyID: "pseudonym-1",
		Allocator: mem, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:            func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		MaxRowsPerFile: 1000,
	}
	rep, err := WriteDataset(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if opened != 2 {
		t.Errorf("stream opened %d times, want 2 (two passes)", opened)
	}
	dir := filepath.Join(root, "customers")
	if rep.RowsIn != 3000 || rep.RowsIn != rep.RowsWritten+rep.RowsSuppressed || rep.RowsSuppressed != rep.Privacy.Suppressed {
		t.Fatalf("rows in %d, written %d, suppressed %d (search: %d)", rep.RowsIn, rep.RowsWritten, rep.RowsSuppressed, rep.Privacy.Suppressed)
	}
	if len(rep.Files) < 2 {
		t.Errorf("want several files with MaxRowsPerFile 1000, got %d", len(rep.Files))
	}
	onDisk, err := ReadDatasetReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.RowsWritten != rep.RowsWritten || onDisk.Privacy.KReached < 5 {
		t.Fatalf("_vigil.json: %+v", onDisk)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("datasets root holds %d entries, want only the dataset (no temporary directories)", len(entries))
	}

	// DuckDB, independently: no class smaller than k, suppressed rows gone.
	db := duckDB(t)
	glob := filepath.Join(dir, "*.parquet")
	var minClass, classes, total int64
	var qiCols []string
	for _, c := range rep.Columns {
		if c.QuasiIdentifier {
			qiCols = append(qiCols, c.Name)
		}
	}
	err = db.QueryRow(fmt.Sprintf(`SELECT min(c), count(*), sum(c) FROM (
		SELECT count(*) AS c FROM read_parquet('%s') GROUP BY %s)`, glob, strings.Join(qiCols, ", "))).Scan(&minClass, &classes, &total)
	if err != nil {
		t.Fatal(err)
	}
	if minClass < 5 || total != rep.RowsWritten || int(classes) != rep.Privacy.Classes {
		t.Fatalf("DuckDB: smallest class %d, %d classes, %d rows; report: %d classes, %d rows",
			minClass, classes, total, rep.Privacy.Classes, rep.RowsWritten)
	}

	// Column by column.
	byID := map[string]customer{}
	for _, c := range rows {
		// Dataset scope (the default): the domain carries the table.
		tok, _ := Pseudonym(keyA, Protection{Method: MethodPseudonym, Domain: "customer/dataset=customers", Prefix: "tok_", TokenBytes: 16, Encoding: "base32"}, c.id)
		byID[tok] = c
	}
	q, err := db.Query(fmt.Sprintf(`SELECT customer_id, name, phone, email, id_number, birth_date::VARCHAR,
		epoch_us(last_visit), age, gender, postal, city, income, diagnosis, typeof(birth_date), typeof(last_visit)
		FROM read_parquet('%s')`, glob))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	cols, _ := q.Columns()
	if strings.Contains(strings.Join(cols, ","), "note") {
		t.Error("unclassified column note was written (default is drop)")
	}
	// The class default 3+4 mask is capped to the operator prefix, and the
	// masked column joins the privacy search (level 1 mask, level 2 "*").
	phoneMask := regexp.MustCompile(`^(1\d\d\*{8}|\*)$`)
	n := 0
	for q.Next() {
		var id, name, phone, email, idn, birth, age, gender, postal, city, income, diag, tb, tv string
		var visit int64
		if err := q.Scan(&id, &name, &phone, &email, &idn, &birth, &visit, &age, &gender, &postal, &city, &income, &diag, &tb, &tv); err != nil {
			t.Fatal(err)
		}
		c, ok := byID[id]
		if !ok {
			t.Fatalf("pseudonym %q matches no customer", id)
		}
		n++
		if name != "[REDACTED]" || !phoneMask.MatchString(phone) || (phone != "*" && phone[:3] != c.phone[:3]) {
			t.Fatalf("name %q phone %q (from %q)", name, phone, c.phone)
		}
		if email != "*" && (!strings.HasSuffix(email, "@example.com") || strings.HasPrefix(email, c.email[:5]) || email[0] != c.email[0]) {
			t.Fatalf("email %q from %q", email, c.email)
		}
		if chk, _ := rules.GB11643CheckChar(idn[:17]); len(idn) != 18 || idn[17] != chk || idn == c.idNumber {
			t.Fatalf("id number %q", idn)
		}
		if tb != "DATE" || !strings.HasPrefix(tv, "TIMESTAMP") {
			t.Fatalf("types %s %s: shifted dates keep their type", tb, tv)
		}
		bd, _ := time.Parse("2006-01-02", birth)
		shift := int(bd.Sub(c.birth.ToTime()).Hours() / 24)
		vshift := int((visit - int64(c.visit)) / 86_400_000_000)
		if shift == 0 || shift < -30 || shift > 30 || shift != vshift {
			t.Fatalf("birth date shifted by %d days, last visit by %d: want the same non-zero shift per subject", shift, vshift)
		}
		if !covers(age, fmt.Sprint(c.age)) || !prefixCovers(postal, c.postal) || diag != c.diagnosis {
			t.Fatalf("age %q postal %q diagnosis %q for %+v", age, postal, diag, c)
		}
		if income != "*" && (!covers(income, fmt.Sprint(int(c.income))) || !strings.HasSuffix(income, "9999")) {
			t.Fatalf("income %q for %v", income, c.income)
		}
	}
	if int64(n) != rep.RowsWritten {
		t.Fatalf("read %d rows, report says %d", n, rep.RowsWritten)
	}

	// Neither the key nor raw values reach the files or the log.
	assertNoSecrets(t, dir, logs.Bytes(), rows)
	for _, want := range []string{"table=customers", "rows_written="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}

	// The description says how every column was protected.
	got := map[string]ColumnReport{}
	for _, c := range rep.Columns {
		got[c.Name] = c
	}
	for col, method := range map[string]Method{"customer_id": MethodPseudonym, "phone": MethodMask, "email": MethodMask,
		"birth_date": MethodDateShift, "income": MethodBucket, "note": MethodDrop, "age": MethodGeneralize, "diagnosis": MethodKeep} {
		if got[col].Protection.Method != method {
			t.Errorf("column %s protected by %q, want %q", col, got[col].Protection.Method, method)
		}
	}
	if !got["age"].QuasiIdentifier || got["age"].Level == nil || got["phone"].Source != "class default" || got["note"].Source != "unclassified" {
		t.Errorf("column reports: %+v %+v %+v", got["age"], got["phone"], got["note"])
	}
	golden(t, "customers_vigil.json", rep)
}

// assertNoSecrets fails if the pseudonym key (raw, hex or base64) or raw
// personal values appear in the dataset files or the log.
func assertNoSecrets(t *testing.T, dir string, logs []byte, rows []customer) {
	t.Helper()
	key := keyA.key
	needles := [][]byte{key, []byte(hex.EncodeToString(key)), []byte(base64.StdEncoding.EncodeToString(key)),
		[]byte(base64.RawURLEncoding.EncodeToString(key))}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	files = append(files, "<log>")
	for _, f := range files {
		b := logs
		if f != "<log>" {
			var err error
			if b, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
		for _, nd := range needles {
			if bytes.Contains(b, nd) {
				t.Fatalf("%s contains the pseudonym key", filepath.Base(f))
			}
		}
		for _, c := range rows[:50] {
			for _, v := range []string{c.phone, c.email, c.idNumber, c.id} {
				if bytes.Contains(b, []byte(v)) {
					t.Fatalf("%s contains a raw value", filepath.Base(f))
				}
			}
		}
	}
}

// golden compares the report (without file hashes and sizes, which depend
// on the Parquet library version) with testdata/expected; -update rewrites.
func golden(t *testing.T, name string, rep *DatasetReport) {
	t.Helper()
	cp := *rep
	cp.Files = nil
	for _, f := range rep.Files {
		cp.Files = append(cp.Files, DatasetFile{Name: f.Name, Rows: f.Rows})
	}
	if cp.Privacy != nil {
		p := *cp.Privacy
		if p.Search != nil {
			s := *p.Search
			s.DurationMS = 0
			p.Search = &s
		}
		cp.Privacy = &p
	}
	if cp.Disclosure != nil {
		d := *cp.Disclosure
		d.DurationMS = 0
		cp.Disclosure = &d
	}
	got, err := json.MarshalIndent(&cp, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "expected", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

func TestWriteDatasetPseudonymsStable(t *testing.T) {
	rows := makeCustomers(200, 2)
	run := func(tok Tokenizer) map[string]string {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		pol := Policy{Table: "people", Unclassified: UnclassifiedDrop, Columns: map[string]Protection{
			"customer_id": {Method: MethodPseudonym, Domain: "customer"},
			"phone":       {Method: MethodPseudonym, Format: "cn_mobile"},
		}}
		root := t.TempDir()
		opened := 0
		_, err := WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "people",
			Open: opener(mem, rows, 64, &opened), Policy: pol, Classes: nil, Tokenizer: tok, Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		if opened != 1 {
			t.Errorf("without a privacy model the stream is read once, not %d times", opened)
		}
		db := duckDB(t)
		q, err := db.Query(fmt.Sprintf(`SELECT customer_id, phone FROM read_parquet('%s')`, filepath.Join(root, "people", "*.parquet")))
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		out := map[string]string{}
		i := 0
		for q.Next() {
			var id, phone string
			if err := q.Scan(&id, &phone); err != nil {
				t.Fatal(err)
			}
			out[rows[i].id] = id + " " + phone
			i++
		}
		return out
	}
	a1, a2, b := run(keyA), run(keyA), run(keyB)
	same, diff := 0, 0
	for id, v := range a1 {
		if a2[id] == v {
			same++
		}
		if b[id] != v {
			diff++
		}
		if phone := strings.Fields(v)[1]; len(phone) != 11 || phone[0] != '1' {
			t.Fatalf("phone token %q is not 1 + 10 digits", phone)
		}
	}
	if same != len(rows) || diff != len(rows) {
		t.Fatalf("same key: %d/%d equal; other key: %d/%d different", same, len(rows), diff, len(rows))
	}
}

func TestWriteDatasetFailClosed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := makeCustomers(20, 3)
	root := t.TempDir()
	opened := 0
	classes := customerClasses()
	pol := customerPolicy()
	delete(pol.Columns, "id_number")
	delete(pol.Columns, "name")
	pol.Columns["nonexistent"] = Protection{Method: MethodDrop}
	_, err := WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "customers",
		Open: opener(mem, rows, 10, &opened), Policy: pol, Classes: classes, Tokenizer: keyA, Allocator: mem})
	if !errors.Is(err, ErrUnprotected) || !errors.Is(err, ErrPolicy) {
		t.Fatalf("err = %v, want ErrUnprotected and ErrPolicy", err)
	}
	var ue *UnprotectedColumnError
	if !errors.As(err, &ue) || ue.Table != "customers" {
		t.Fatalf("err = %v, want *UnprotectedColumnError", err)
	}
	for _, col := range []string{`"id_number"`, `"name"`, `"nonexistent"`} {
		if !strings.Contains(err.Error(), col) {
			t.Errorf("error does not report column %s: %v", col, err)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("something was written: %v", entries)
	}
	// A tokenizer is required for pseudonyms.
	_, err = WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "customers",
		Open: opener(mem, rows, 10, &opened), Policy: customerPolicy(), Classes: classes, Allocator: mem})
	if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "tokenizer") {
		t.Fatalf("without tokenizer: err = %v", err)
	}
}

func TestWriteDatasetReplacesAtomically(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	opened := 0
	for i, n := range []int{50, 80} {
		rows := makeCustomers(n, uint64(10+i))
		pol := Policy{Table: "t", Columns: map[string]Protection{"gender": {Method: MethodKeep, Reason: "test: two values"}}}
		rep, err := WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "t",
			Open: opener(mem, rows, 32, &opened), Policy: pol, Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		if rep.RowsWritten != int64(n) {
			t.Fatalf("wrote %d rows, want %d", rep.RowsWritten, n)
		}
		var got int64
		if err := duckDB(t).QueryRow(fmt.Sprintf(`SELECT count(*) FROM read_parquet('%s')`, filepath.Join(root, "t", "*.parquet"))).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != int64(n) {
			t.Fatalf("dataset has %d rows, want %d", got, n)
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 || entries[0].Name() != "t" {
		t.Errorf("root holds %v", entries)
	}
	if _, err := WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "../x",
		Open: opener(mem, nil, 1, &opened)}); !errors.Is(err, ErrPolicy) {
		t.Errorf("unsafe table name: err = %v", err)
	}
}

func TestWriteDatasetMondrianLDiversity(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := makeCustomers(4000, 4)
	root := t.TempDir()
	opened := 0
	pol := customerPolicy()
	pol.Privacy.Algorithm = AlgorithmMondrian
	pol.Privacy.K = 8
	pol.Privacy.Sensitive, pol.Privacy.L, pol.Privacy.LModel = "diagnosis", 3, LDistinct
	rep, err := WriteDataset(context.Background(), DatasetRequest{Root: root, Table: "customers",
		Open: opener(mem, rows, 1000, &opened), Policy: pol, Classes: customerClasses(), Tokenizer: keyA, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsWritten != 4000 || rep.Privacy.Mondrian == nil || rep.Privacy.LReached < 3 {
		t.Fatalf("report: rows %d, privacy %+v", rep.RowsWritten, rep.Privacy)
	}
	var minClass, minDistinct int64
	err = duckDB(t).QueryRow(fmt.Sprintf(`SELECT min(c), min(d) FROM (
		SELECT count(*) AS c, count(DISTINCT diagnosis) AS d FROM read_parquet('%s') GROUP BY age, gender, postal, city)`,
		filepath.Join(root, "customers", "*.parquet"))).Scan(&minClass, &minDistinct)
	if err != nil {
		t.Fatal(err)
	}
	if minClass < 8 || minDistinct < 3 {
		t.Fatalf("DuckDB: smallest class %d, fewest distinct diagnoses %d", minClass, minDistinct)
	}
}
