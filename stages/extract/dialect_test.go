package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExcelShapes: the file shapes Excel and CRM exports write, read with
// the defaults a configured CSV source uses (sniffed delimiter, detected
// header).
func TestExcelShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opts     CSVOptions
		cols     string
		rows     [][]string
		title    int
		dropped  int
		delim    string
		warnLike string
	}{
		{name: "title rows above the header",
			in:   "客户列表\n导出时间：2024-05-01,,\nid,name,city\n1,张三,北京\n2,李四,上海\n",
			cols: "id:int64 name:utf8 city:utf8", rows: [][]string{{"1", "张三", "北京"}, {"2", "李四", "上海"}}, title: 2, delim: ","},
		{name: "header_row declared",
			in:   "Report\n\nid,name,city\n1,a,b\n",
			opts: CSVOptions{HeaderRow: 3}, cols: "id:int64 name:utf8 city:utf8", rows: [][]string{{"1", "a", "b"}}, title: 1, delim: ","},
		{name: "trailing empty header cells and rows",
			in:   "id,name,,\n1,a,,\n2,b,,\n,,,\n,,,\n",
			cols: "id:int64 name:utf8", rows: [][]string{{"1", "a"}, {"2", "b"}}, dropped: 2, delim: ","},
		{name: "sep line",
			in:   "sep=;\nid;name\n1;x\n",
			cols: "id:int64 name:utf8", rows: [][]string{{"1", "x"}}, delim: ";"},
		{name: "semicolon sniffed",
			in:   "id;name;amount\n1;\"a;b\";1,5\n2;c;2,5\n",
			cols: "id:int64 name:utf8 amount:utf8", rows: [][]string{{"1", "a;b", "1,5"}, {"2", "c", "2,5"}}, delim: ";"},
		{name: "tab sniffed",
			in:   "id\tname\n1\tx, y\n",
			cols: "id:int64 name:utf8", rows: [][]string{{"1", "x, y"}}, delim: "\t"},
		{name: "pipe sniffed",
			in:   "id|name\n1|x\n2|y\n",
			cols: "id:int64 name:utf8", rows: [][]string{{"1", "x"}, {"2", "y"}}, delim: "|"},
		{name: "CR-only line ends",
			in:   "id,name\r1,x\r2,y\r",
			cols: "id:int64 name:utf8", rows: [][]string{{"1", "x"}, {"2", "y"}}, delim: ",", warnLike: "CR alone"},
		{name: "headerless with header: false",
			in:   "张三,13800138000,zhang@example.com\n李四,13900139000,li@example.com\n",
			opts: CSVOptions{Header: HeaderNo}, cols: "col1:utf8 col2:int64 col3:utf8",
			rows: [][]string{{"张三", "13800138000", "zhang@example.com"}, {"李四", "13900139000", "li@example.com"}}, delim: ","},
		{name: "scientific notation warned",
			in:   "id,name\n3.58517E+15,a\n3.58517E+15,b\n12,c\n",
			cols: "id:utf8 name:utf8", rows: [][]string{{"3.58517E+15", "a"}, {"3.58517E+15", "b"}, {"12", "c"}}, delim: ",", warnLike: `column "id": 2 of the first 3 rows`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "t.csv", tc.in)
			if tc.opts.Delimiter == 0 {
				tc.opts.Delimiter = DelimiterAuto
			}
			res := mustRead(t, path, tc.opts)
			if got := res.columns(); got != tc.cols {
				t.Errorf("columns %q, want %q", got, tc.cols)
			}
			if strings.Join(flat(res.rows), "|") != strings.Join(flat(tc.rows), "|") {
				t.Errorf("rows %q, want %q", res.rows, tc.rows)
			}
			if len(res.rejects) > 0 {
				t.Errorf("rejects %+v", res.rejects)
			}
			s := res.stats
			if s.TitleRows != tc.title || s.DroppedColumns != tc.dropped || s.Delimiter != tc.delim {
				t.Errorf("stats %+v", s)
			}
			if tc.warnLike != "" && !strings.Contains(strings.Join(s.Warnings, "\n"), tc.warnLike) {
				t.Errorf("warnings %q lack %q", s.Warnings, tc.warnLike)
			}
		})
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// TestHeaderlessFileStops: a file whose first row is a customer stops with
// an error naming the file and the option, and holding none of the values;
// so do CR-only headerless files. (Issue 9, item 5.)
func TestHeaderlessFileStops(t *testing.T) {
	rows := "张三,13800138000,zhang.san@example.com,110101199003071234\n" +
		"李四,13900139000,li.si@example.com,310101198512120022\n" +
		"王五,13700137000,wang.wu@example.com,440301199207150048\n"
	for name, in := range map[string]string{"lf": rows, "crlf": strings.ReplaceAll(rows, "\n", "\r\n"), "cr": strings.ReplaceAll(rows, "\n", "\r")} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "people.csv", in)
			_, err := readAll(t, path, CSVOptions{Delimiter: DelimiterAuto}, chunkSize)
			if !errors.Is(err, ErrHeaderLooksLikeData) {
				t.Fatalf("got %v, want ErrHeaderLooksLikeData", err)
			}
			msg := err.Error()
			for _, v := range []string{"张三", "13800138000", "zhang.san@example.com", "110101199003071234"} {
				if strings.Contains(msg, v) {
					t.Errorf("error shows a value: %s", msg)
				}
			}
			if !strings.Contains(msg, "people.csv") || !strings.Contains(msg, "header: false") {
				t.Errorf("error does not name the file and the option: %s", msg)
			}
			res := mustRead(t, path, CSVOptions{Delimiter: DelimiterAuto, Header: HeaderNo})
			if len(res.rows) != 3 || res.columns() != "col1:utf8 col2:int64 col3:utf8 col4:utf8" {
				t.Errorf("header: false gave %s, %d rows", res.columns(), len(res.rows))
			}
		})
	}
}

// FuzzHeaderDetection: whatever the bytes, detection (title rows, sniffed
// delimiter, sep= lines, CR-only files, headerless check) never panics;
// names are unique and non-empty; rows read = written + rejected.
func FuzzHeaderDetection(f *testing.F) {
	for _, s := range []string{"客户列表\nid,name\n1,x\n", "sep=;\na;b\n1;2\n", "a,b,,\n1,2,,\n,,,\n", "a\rb\r", "1,2\n3,4\n", "x@y.z,1\nq@w.e,2\n", "t\n\n\na,b,c\n1,2,3\n"} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, knobs uint8) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := CSVOptions{Delimiter: DelimiterAuto, SampleRows: 1 + int(knobs%7), MaxRecordBytes: 300}
		if knobs&0x80 != 0 {
			opts.HeaderRow = 1 + int(knobs>>4&7)
		} else if knobs&0x40 != 0 {
			opts.Header = HeaderNo
		}
		res, err := readAll(t, path, opts, 64)
		if err != nil {
			return
		}
		if s := res.stats; s.TitleRows > maxTitleRows || s.RowsRead != s.RowsWritten+s.RowsRejected {
			t.Fatalf("stats %+v", s)
		}
		seen := map[string]bool{}
		for _, fl := range res.schema.Fields() {
			k := strings.ToLower(fl.Name)
			if fl.Name == "" || seen[k] {
				t.Fatalf("bad column names %v", res.schema)
			}
			seen[k] = true
		}
	})
}

// TestRunawayQuoteIsLoud: an unterminated quote swallowing the rest of the
// file is one reject whose reason says where it started and how many lines
// it took; with the default max_rejected the table then fails upstream.
func TestRunawayQuoteIsLoud(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n1,a\n2,\"b\n")
	for i := 3; i < 1000; i++ {
		b.WriteString("3,c\n")
	}
	res := mustRead(t, writeFile(t, "q.csv", b.String()), CSVOptions{})
	if len(res.rejects) != 1 || res.rejects[0].Line != 3 || !strings.Contains(res.rejects[0].Reason, "opened on line 3") || !strings.Contains(res.rejects[0].Reason, "997 more lines") {
		t.Fatalf("rejects %+v", res.rejects)
	}
}
