package extract

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

type wantReject struct {
	line   int64
	column string
	reason string // substring
	raw    string
}

func TestOpenCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    CSVOptions
		cols    string // name:type ...
		rows    [][]string
		rejects []wantReject
		blank   int64
	}{
		{
			name: "inference",
			in:   "id,name,day,amount,flag\n1,Ann,2024-01-01,1.5,yes\n2,Bob,2024/1/2,-2,no\n",
			cols: "id:int64 name:utf8 day:date32 amount:decimal(18, 1) flag:bool",
			rows: [][]string{{"1", "Ann", "2024-01-01", "1.5", "true"}, {"2", "Bob", "2024-01-02", "-2", "false"}},
		},
		{
			name: "no trailing newline",
			in:   "a,b\n1,x\n2,y",
			cols: "a:int64 b:utf8",
			rows: [][]string{{"1", "x"}, {"2", "y"}},
		},
		{
			name: "CRLF and quoted CRLF",
			in:   "id,name\r\n1,\"crlf\r\nin field\"\r\n2,two\r\n3,three",
			cols: "id:int64 name:utf8",
			rows: [][]string{{"1", "crlf\r\nin field"}, {"2", "two"}, {"3", "three"}},
		},
		{
			name: "RFC 4180 quoting",
			in:   "\"id\",\"comment\"\n1,\"with \"\"quotes\"\" inside\"\n2,\"a, comma\"\n3,\"\"\"\"\n4,\"\"\n5,\"x\"\"\"\n",
			cols: "id:int64 comment:utf8",
			rows: [][]string{{"1", `with "quotes" inside`}, {"2", "a, comma"}, {"3", `"`}, {"4", "(null)"}, {"5", `x"`}},
		},
		{
			name: "quoted newlines keep line numbers",
			in:   "id,v\n1,\"a\nb\nc\"\n2,x,extra\n3,\"d\r\ne\"\n4\n",
			cols: "id:int64 v:utf8",
			rows: [][]string{{"1", "a\nb\nc"}, {"3", "d\r\ne"}},
			rejects: []wantReject{
				{line: 5, reason: "record has 3 fields, the header has 2", raw: "2,x,extra"},
				{line: 8, reason: "record has 1 fields, the header has 2", raw: "4"},
			},
		},
		{
			name: "empty cells are null for every type",
			in:   "s,i,d,b,dt,ts\n,,,,,\nx, 1 ,2.5,true,2024-01-01,2024-01-01 10:00:00\n\"\", ,\t,,,\n",
			opts: CSVOptions{Types: map[string]Type{"s": TypeString, "i": TypeInt64, "d": Decimal(10, 2), "b": TypeBool, "dt": TypeDate, "ts": TypeTimestamp}},
			cols: "s:utf8 i:int64 d:decimal(10, 2) b:bool dt:date32 ts:timestamp[us, tz=UTC]",
			rows: [][]string{
				{"(null)", "(null)", "(null)", "(null)", "(null)", "(null)"},
				{"x", "1", "2.5", "true", "2024-01-01", "2024-01-01T10:00:00Z"},
				{"(null)", "(null)", "(null)", "(null)", "(null)", "(null)"},
			},
		},
		{
			name: "header names trimmed",
			in:   " id ,\tname\u3000\n1,x\n",
			cols: "id:int64 name:utf8",
			rows: [][]string{{"1", "x"}},
		},
		{
			name: "bare quote rejects the row only",
			in:   "id,name\n1,ab\"c\n2,ok\n3,\"x\"y\n4,fine\n",
			cols: "id:int64 name:utf8",
			rows: [][]string{{"2", "ok"}, {"4", "fine"}},
			rejects: []wantReject{
				{line: 2, column: "name", reason: "quote inside an unquoted field", raw: `1,ab"c`},
				{line: 4, column: "name", reason: "unexpected character after a closing quote", raw: `3,"x"y`},
			},
		},
		{
			name: "wrong field counts",
			in:   "a,b,c\n1,2,3\n1,2\n1,2,3,4\n,,\n1,2,3,\n",
			cols: "a:int64 b:int64 c:int64",
			rows: [][]string{{"1", "2", "3"}, {"(null)", "(null)", "(null)"}},
			rejects: []wantReject{
				{line: 3, reason: "record has 2 fields, the header has 3"},
				{line: 4, reason: "record has 4 fields, the header has 3"},
				{line: 6, reason: "record has 4 fields, the header has 3"},
			},
		},
		{
			name: "declared type mismatch",
			in:   "id,amount,day\n1,1.50,2024-01-01\n2,SECRET-VALUE,2024-01-02\n3,2.00,2024-02-30\n4,123456789.5,2024-01-03\n",
			opts: CSVOptions{Types: map[string]Type{"amount": Decimal(10, 2), "day": TypeDate}},
			cols: "id:int64 amount:decimal(10, 2) day:date32",
			rows: [][]string{{"1", "1.5", "2024-01-01"}},
			rejects: []wantReject{
				{line: 3, column: "amount", reason: `value in column "amount" is not a valid decimal(10,2) (the declared type)`},
				{line: 4, column: "day", reason: `value in column "day" is not a valid date (the declared type)`},
				{line: 5, column: "amount", reason: "declared type"},
			},
		},
		{
			name: "inferred type mismatch after the sample",
			in:   "id,code\n1,10\n2,20\n3,SECRET-VALUE\n4,007\n5,30\n",
			opts: CSVOptions{SampleRows: 2},
			cols: "id:int64 code:int64",
			rows: [][]string{{"1", "10"}, {"2", "20"}, {"5", "30"}},
			rejects: []wantReject{
				{line: 4, column: "code", reason: `value in column "code" does not fit the inferred type int64 (inferred from the first 2 rows); declare the column's type in the config`, raw: "3,SECRET-VALUE"},
				{line: 5, column: "code", reason: "inferred type int64"},
			},
		},
		{
			name: "decimal scale beyond the sample",
			in:   "v\n1.5\n1.55\n1.50\n",
			opts: CSVOptions{SampleRows: 1},
			cols: "v:decimal(18, 1)",
			rows: [][]string{{"1.5"}, {"1.5"}},
			rejects: []wantReject{
				{line: 3, column: "v", reason: "inferred type decimal(18,1)"},
			},
		},
		{
			name: "thousands separators",
			in:   "a,b,c\n\"1,234,567.89\",\"1,234\",\"1,23\"\n\"-12,000\",\"12,345,678\",x\n0.5,7,y\n",
			cols: "a:decimal(18, 2) b:int64 c:utf8",
			rows: [][]string{{"1234567.89", "1234", "1,23"}, {"-12000", "12345678", "x"}, {"0.5", "7", "y"}},
		},
		{
			name: "codes and identifiers stay strings",
			in:   "code,phone,landline,card,big,n,neg\n007,13800138000,01062345678,6222021234567890,123456789012345678.5,0,-0\n012,13912345678,02161234567,6222021234567891,1.5,10,-3\n",
			cols: "code:utf8 phone:int64 landline:utf8 card:utf8 big:decimal(38, 1) n:int64 neg:int64",
			rows: [][]string{
				{"007", "13800138000", "01062345678", "6222021234567890", "123456789012345678.5", "0", "0"},
				{"012", "13912345678", "02161234567", "6222021234567891", "1.5", "10", "-3"},
			},
		},
		{
			name: "bool inference",
			in:   "a,b,c\nyes,TRUE,1\nno,f,0\nY,t,1\n",
			cols: "a:utf8 b:bool c:int64",
			rows: [][]string{{"yes", "true", "1"}, {"no", "false", "0"}, {"Y", "true", "1"}},
		},
		{
			name: "declared bool accepts 1 and 0",
			in:   "a\n1\n0\nYes\n",
			opts: CSVOptions{Types: map[string]Type{"a": TypeBool}},
			cols: "a:bool",
			rows: [][]string{{"true"}, {"false"}, {"true"}},
		},
		{
			name: "dates",
			in:   "d\n2024-01-31\n2024/02/29\n2024/3/5\n2024年3月15日\n2024.12.01\n",
			cols: "d:date32",
			rows: [][]string{{"2024-01-31"}, {"2024-02-29"}, {"2024-03-05"}, {"2024-03-15"}, {"2024-12-01"}},
		},
		{
			name: "timestamps",
			in: "ts\n2024-01-02 03:04:05\n2024-01-02 03:04:05.123456\n2024-01-02T03:04:05Z\n2024-01-02T11:04:05+08:00\n" +
				"2024/01/02 03:04\n2024/1/2 3:04:05\n2024-01-02\n2024-01-02 03:04:05 -05:30\n",
			cols: "ts:timestamp[us, tz=UTC]",
			rows: [][]string{
				{"2024-01-02T03:04:05Z"}, {"2024-01-02T03:04:05.123456Z"}, {"2024-01-02T03:04:05Z"}, {"2024-01-02T03:04:05Z"},
				{"2024-01-02T03:04:00Z"}, {"2024-01-02T03:04:05Z"}, {"2024-01-02T00:00:00Z"}, {"2024-01-02T08:34:05Z"},
			},
		},
		{
			name:  "blank lines are not records",
			in:    "\n\r\na,b\n\n1,2\n\n",
			cols:  "a:int64 b:int64",
			rows:  [][]string{{"1", "2"}},
			blank: 4,
		},
		{
			name: "unterminated quote at end of file",
			in:   "a,b\n1,x\n2,\"open\n3,y\n",
			cols: "a:int64 b:utf8",
			rows: [][]string{{"1", "x"}},
			rejects: []wantReject{
				{line: 3, column: "b", reason: "not closed before the end of the file", raw: "2,\"open\n3,y"},
			},
		},
		{
			name: "semicolon delimiter",
			in:   "a;b\n1.5;\"x;y\"\n",
			opts: CSVOptions{Delimiter: ';'},
			cols: "a:decimal(18, 1) b:utf8",
			rows: [][]string{{"1.5", "x;y"}},
		},
		{
			name: "tab delimiter",
			in:   "a\tb\n1\tx y\n",
			opts: CSVOptions{Delimiter: '\t'},
			cols: "a:int64 b:utf8",
			rows: [][]string{{"1", "x y"}},
		},
		{
			name: "single column",
			in:   "only\nA\n\"\"\nB",
			cols: "only:utf8",
			rows: [][]string{{"A"}, {"(null)"}, {"B"}},
		},
		{
			name: "header only",
			in:   "a,b\n",
			cols: "a:utf8 b:utf8",
		},
		{
			name: "declared string keeps leading zeros and spaces",
			in:   "a\n 007 \n",
			opts: CSVOptions{Types: map[string]Type{"a": TypeString}},
			cols: "a:utf8",
			rows: [][]string{{" 007 "}},
		},
		{
			name: "declared int64 is lenient",
			in:   "a\n007\n+5\n\"1,000\"\n9.0\n9.5\n",
			opts: CSVOptions{Types: map[string]Type{"a": TypeInt64}},
			cols: "a:int64",
			rows: [][]string{{"7"}, {"5"}, {"1000"}, {"9"}},
			rejects: []wantReject{
				{line: 6, column: "a", reason: "not a valid int64"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "t.csv", tc.in)
			res := mustRead(t, path, tc.opts)
			if got := res.columns(); got != tc.cols {
				t.Errorf("columns:\n got %s\nwant %s", got, tc.cols)
			}
			if len(res.rows) != len(tc.rows) {
				t.Fatalf("rows: got %q, want %q", res.rows, tc.rows)
			}
			for i := range tc.rows {
				if strings.Join(res.rows[i], "|") != strings.Join(tc.rows[i], "|") {
					t.Errorf("row %d: got %q, want %q", i, res.rows[i], tc.rows[i])
				}
			}
			if len(res.rejects) != len(tc.rejects) {
				t.Fatalf("rejects: got %+v, want %+v", res.rejects, tc.rejects)
			}
			for i, w := range tc.rejects {
				g := res.rejects[i]
				if g.Line != w.line || g.Column != w.column || !strings.Contains(g.Reason, w.reason) || (w.raw != "" && g.Raw != w.raw) || g.File != path {
					t.Errorf("reject %d: got %+v, want %+v", i, g, w)
				}
				if strings.Contains(g.Reason, "SECRET") {
					t.Errorf("reject %d: reason contains data: %q", i, g.Reason)
				}
			}
			if res.stats.BlankLines != tc.blank {
				t.Errorf("blank lines: got %d, want %d", res.stats.BlankLines, tc.blank)
			}
			if res.stats.Bytes != int64(len(tc.in)) {
				t.Errorf("bytes: got %d, want %d", res.stats.Bytes, len(tc.in))
			}
		})
	}
}

func TestOpenCSVFatal(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opts   CSVOptions
		target error
		line   int64
		column string
	}{
		{name: "empty file", in: "", target: ErrEmptyFile},
		{name: "only blank lines", in: "\n\r\n\n", target: ErrNoHeader},
		{name: "BOM only", in: "\xEF\xBB\xBF", target: ErrNoHeader},
		{name: "duplicate header", in: "\n\nid,name,id\n1,2,3\n", target: ErrDuplicateColumn, line: 3, column: "id"},
		{name: "duplicate header by case", in: "id,Name,name\n", target: ErrDuplicateColumn, line: 1, column: "name"},
		{name: "empty header name", in: "id, ,x\n", target: ErrEmptyColumnName, line: 1, column: "#2"},
		{name: "unknown declared column", in: "id,name\n1,x\n", opts: CSVOptions{Types: map[string]Type{"amount": TypeInt64}}, target: ErrUnknownColumn, line: 1, column: "amount"},
		{name: "malformed header", in: "id,na\"me\n", target: ErrMalformedHeader, line: 1, column: "#2"},
		{name: "undecodable header", in: "id,\xFFname\n1,2\n", opts: CSVOptions{Encoding: "utf-8"}, target: ErrMalformedHeader, line: 1, column: "#2"},
		{name: "UTF-16 BOM but utf-8 configured", in: "\xFF\xFEi\x00d\x00", opts: CSVOptions{Encoding: "utf-8"}, target: ErrUnsupportedEncoding, line: 1},
		{name: "UTF-8 BOM but gbk configured", in: "\xEF\xBB\xBFid\n1\n", opts: CSVOptions{Encoding: "gbk"}, target: ErrUnsupportedEncoding, line: 1},
		{name: "header too long", in: "id," + strings.Repeat("x", 300) + "\n1,2\n", opts: CSVOptions{MaxRecordBytes: 100, SampleRows: 5}, target: ErrRecordTooLong, line: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "t.csv", tc.in)
			for _, chunk := range chunkSizes {
				_, err := readAll(t, path, tc.opts, chunk)
				if !errors.Is(err, tc.target) {
					t.Fatalf("chunk %d: got %v, want %v", chunk, err, tc.target)
				}
				pe := parseErrorOf(err, tc.target)
				if pe == nil {
					t.Fatalf("no *ParseError in %v", err)
				}
				if pe.File != path || pe.Line != tc.line || pe.Column != tc.column {
					t.Errorf("got %+v (%v), want line %d column %q", pe, err, tc.line, tc.column)
				}
				if !strings.HasPrefix(err.Error(), "extract: ") {
					t.Errorf("message %q lacks the package prefix", err)
				}
			}
		})
	}
}

func TestOpenCSVReportsEveryHeaderProblem(t *testing.T) {
	path := writeFile(t, "t.csv", "id,,id,name\n")
	_, err := OpenCSV(context.Background(), path, CSVOptions{Types: map[string]Type{"b": TypeBool, "a": TypeInt64}})
	for _, target := range []error{ErrEmptyColumnName, ErrDuplicateColumn, ErrUnknownColumn} {
		if !errors.Is(err, target) {
			t.Errorf("%v does not report %v", err, target)
		}
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("errors.As(%v) failed", err)
	}
	if msg := err.Error(); strings.Index(msg, `column "a"`) > strings.Index(msg, `column "b"`) {
		t.Errorf("unknown columns not sorted: %s", msg)
	}
}

func TestOpenCSVBadOptions(t *testing.T) {
	path := writeFile(t, "t.csv", "a\n1\n")
	tests := []struct {
		opts   CSVOptions
		target error
	}{
		{CSVOptions{Delimiter: '"'}, ErrInvalidOption},
		{CSVOptions{Delimiter: '\n'}, ErrInvalidOption},
		{CSVOptions{Delimiter: '，'}, ErrInvalidOption},
		{CSVOptions{Encoding: "klingon-8"}, ErrUnsupportedEncoding},
		{CSVOptions{SampleRows: -1}, ErrInvalidOption},
		{CSVOptions{BatchRows: -1}, ErrInvalidOption},
		{CSVOptions{MaxBatchBytes: 2 << 30}, ErrInvalidOption},
		{CSVOptions{Types: map[string]Type{"a": Decimal(40, 2)}}, ErrInvalidType},
	}
	for _, tc := range tests {
		if _, err := OpenCSV(context.Background(), path, tc.opts); !errors.Is(err, tc.target) {
			t.Errorf("%+v: got %v, want %v", tc.opts, err, tc.target)
		}
	}
	if _, err := OpenCSV(context.Background(), path+".missing", CSVOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

func TestFixtures(t *testing.T) {
	quoted := mustRead(t, "testdata/quoted.csv", CSVOptions{})
	if len(quoted.rows) != 6 || quoted.rows[3][1] != "first line\nsecond line\nthird line" || quoted.rows[4][1] != "(null)" {
		t.Errorf("quoted.csv: %q", quoted.rows)
	}
	crlf := mustRead(t, "testdata/crlf.csv", CSVOptions{})
	if len(crlf.rows) != 3 || crlf.rows[0][1] != "crlf\r\nin field" || crlf.rows[2][1] != "three" {
		t.Errorf("crlf.csv: %q", crlf.rows)
	}
	bom := mustRead(t, "testdata/bom.csv", CSVOptions{})
	if got := bom.columns(); got != "id:int64 名字:utf8" || bom.stats.Encoding != "utf-8" || bom.stats.Bytes != 31 {
		t.Errorf("bom.csv: %s %+v", got, bom.stats)
	}
	bad := mustRead(t, "testdata/bad.csv", CSVOptions{Types: map[string]Type{"amount": Decimal(10, 2), "day": TypeDate}})
	var lines []int64
	for _, rj := range bad.rejects {
		lines = append(lines, rj.Line)
	}
	if len(bad.rows) != 2 || len(lines) != 6 || lines[0] != 3 || lines[5] != 8 {
		t.Errorf("bad.csv: rows %q rejects %+v", bad.rows, bad.rejects)
	}
}

func TestBatching(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range 10 {
		b.WriteString(strings.Repeat("1", i+1) + ",abcdefghij\n")
	}
	path := writeFile(t, "t.csv", b.String())
	res := mustRead(t, path, CSVOptions{BatchRows: 3})
	if got := res.batches; len(got) != 4 || got[0] != 3 || got[3] != 1 {
		t.Errorf("BatchRows 3: batches %v", got)
	}
	res = mustRead(t, path, CSVOptions{MaxBatchBytes: 50})
	if len(res.batches) < 3 {
		t.Errorf("MaxBatchBytes 50: batches %v", res.batches)
	}
}

func TestMaxRecordBytesResync(t *testing.T) {
	in := "id,note\n1,ok\n2,\"opened and never closed\n" + strings.Repeat("3,filler line\n", 20) + "4,end\n"
	path := writeFile(t, "t.csv", in)
	res := mustRead(t, path, CSVOptions{MaxRecordBytes: 64, SampleRows: 1})
	if len(res.rejects) != 1 || res.rejects[0].Line != 3 || res.rejects[0].Raw != `2,"opened and never closed` ||
		!strings.Contains(res.rejects[0].Reason, "MaxRecordBytes") {
		t.Fatalf("rejects %+v", res.rejects)
	}
	if len(res.rows) != 22 || res.rows[21][1] != "end" {
		t.Errorf("rows after resync: %d %q", len(res.rows), res.rows)
	}
}

func TestRejectHandlerError(t *testing.T) {
	path := writeFile(t, "t.csv", "a,b\n1,2\n3\n4,5\n")
	stop := errors.New("disk full")
	_, err := readAll(t, path, CSVOptions{OnReject: func(Reject) error { return stop }}, chunkSize)
	if !errors.Is(err, stop) || !strings.HasPrefix(err.Error(), "extract: ") {
		t.Fatalf("got %v", err)
	}
}

func TestCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,v\n")
	for i := range 5000 {
		b.WriteString("1,")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString("\n")
	}
	path := writeFile(t, "t.csv", b.String())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ctx, cancel := context.WithCancel(context.Background())
	r, err := openCSV(ctx, path, CSVOptions{Alloc: mem, BatchRows: 100}, 256)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	cancel()
	for r.Next() {
	}
	if !errors.Is(r.Err(), context.Canceled) {
		t.Errorf("Err after cancel: %v", r.Err())
	}
	checkInvariant(t, r.Stats())
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	mem.AssertSize(t, 0)
}

func TestCloseEarlyAndRelease(t *testing.T) {
	path := writeFile(t, "t.csv", "a\n"+strings.Repeat("1\n", 1000))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r, err := openCSV(context.Background(), path, CSVOptions{Alloc: mem, BatchRows: 10}, 64)
	if err != nil {
		t.Fatal(err)
	}
	r.Retain()
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec := r.RecordBatch()
	rec.Retain() // a caller keeping a batch past Next
	r.Release()
	if r.Next() != true {
		t.Fatal("reader closed while a reference remained")
	}
	r.Release() // last reference: closes
	if r.Next() {
		t.Error("Next after Close")
	}
	if rec.NumRows() != 10 {
		t.Errorf("kept batch has %d rows", rec.NumRows())
	}
	rec.Release()
	mem.AssertSize(t, 0)
}

// TestBoundedMemory checks that Arrow memory does not grow with the file: at
// most a few batches (the caller's, one queued, one being handed over) are
// alive at any time, however many the file holds.
func TestBoundedMemory(t *testing.T) {
	p := writeFile(t, "c.csv", "")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeCustomers(f, 12000, 3); err != nil {
		t.Fatal(err)
	}
	f.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r, err := OpenCSV(context.Background(), p, CSVOptions{Alloc: mem, BatchRows: 500})
	if err != nil {
		t.Fatal(err)
	}
	peak, biggest, batches := 0, 0, 0
	for r.Next() {
		batches++
		peak = maxInt(peak, mem.CurrentAlloc())
		size := 0
		for _, col := range r.RecordBatch().Columns() {
			for _, b := range col.Data().Buffers() {
				if b != nil {
					size += b.Cap()
				}
			}
		}
		biggest = maxInt(biggest, size)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.RowsWritten != 12000 || batches != 24 {
		t.Fatalf("stats %+v, %d batches", s, batches)
	}
	r.Close()
	mem.AssertSize(t, 0)
	if peak > 4*biggest {
		t.Errorf("peak Arrow memory %d bytes is more than four batches of %d", peak, biggest)
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestCSVDir(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"orders.CSV", "customers.csv", ".hidden.csv", "notes.txt"} {
		if err := os.WriteFile(dir+"/"+name, []byte("a\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(dir+"/sub.csv", 0o700); err != nil {
		t.Fatal(err)
	}
	tables, err := CSVDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Name != "customers" || tables[1].Name != "orders" || tables[1].Path != dir+"/orders.CSV" {
		t.Errorf("tables %+v", tables)
	}
	if err := os.WriteFile(dir+"/Orders.csv", []byte("a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CSVDir(dir); !errors.Is(err, ErrDuplicateTable) {
		t.Errorf("duplicate tables: %v", err)
	}
}

// A line longer than MaxRecordBytes rejects that row only, wherever it
// falls against the read chunks, at the end of the file or not; a runaway
// quote is reported with the line it opened on.
func TestOversizedLineRejectsRow(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name, in string
		rows     int
		line     int64
		reason   string
	}{
		{"middle", "id,name\n1,a\n2," + long + "\n3,c\n", 2, 3, "line longer than 100 bytes"},
		{"last with newline", "id,name\n1,a\n2," + long + "\n", 1, 3, "line longer than 100 bytes"},
		{"last without newline", "id,name\n1,a\n2," + long, 1, 3, "line longer than 100 bytes"},
		{"very long", "id,name\n1,a\n2," + strings.Repeat("y", 5000) + "\n3,c\n4,d\n", 3, 3, "line longer than 100 bytes"},
		{"runaway quote", "id,name\n1,a\n2,\"b\n" + strings.Repeat("3,c\n", 40), 41, 3, "quoted field opened on line 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "t.csv", tc.in)
			res := mustRead(t, path, CSVOptions{MaxRecordBytes: 100, SampleRows: 5})
			if len(res.rows) != tc.rows || len(res.rejects) != 1 || res.rejects[0].Line != tc.line || !strings.Contains(res.rejects[0].Reason, tc.reason) {
				t.Fatalf("rows %d rejects %+v", len(res.rows), res.rejects)
			}
			if s := res.stats; s.RowsRead != s.RowsWritten+s.RowsRejected {
				t.Errorf("stats %+v", s)
			}
			if len(res.rejects[0].Raw) > maxTooLongRaw+16 {
				t.Errorf("raw reject of %d bytes", len(res.rejects[0].Raw))
			}
		})
	}
}
