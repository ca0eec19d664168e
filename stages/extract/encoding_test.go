package extract

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// readBatches reads a file and keeps its batches (caller releases them).
func readBatches(t *testing.T, mem memory.Allocator, path string, opts CSVOptions, chunk int) (*arrow.Schema, []arrow.RecordBatch, Stats) {
	t.Helper()
	opts.Alloc = mem
	r, err := openCSV(context.Background(), path, opts, chunk)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []arrow.RecordBatch
	for r.Next() {
		rec := r.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return r.Schema(), recs, r.Stats()
}

func encodeFile(t *testing.T, enc encoding.Encoding, name string, text []byte) string {
	t.Helper()
	b, err := enc.NewEncoder().Bytes(text)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGBKTwin: a GBK file and its UTF-8 twin yield identical Arrow data,
// whether the encoding is detected or declared.
func TestGBKTwin(t *testing.T) {
	var buf bytes.Buffer
	if err := writeCustomers(&buf, 3000, 11); err != nil {
		t.Fatal(err)
	}
	// Müller is in GBK (ü is a pinyin letter); keep a rarer name out.
	utfPath := filepath.Join(t.TempDir(), "utf8.csv")
	if err := os.WriteFile(utfPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	gbkPath := encodeFile(t, simplifiedchinese.GBK, "gbk.csv", buf.Bytes())

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := CSVOptions{BatchRows: 700}
	wantSchema, want, wantStats := readBatches(t, mem, utfPath, opts, chunkSize)
	defer releaseAll(want)
	if wantStats.Encoding != "utf-8" || wantStats.RowsWritten != 3000 {
		t.Fatalf("utf-8 stats %+v", wantStats)
	}
	for _, tc := range []struct {
		encoding, detected string
		chunk              int
	}{{"auto", "gb18030", chunkSize}, {"gbk", "gbk", chunkSize}, {"gb18030", "gb18030", 4096}, {"auto", "gb18030", 100}} {
		o := opts
		o.Encoding = tc.encoding
		schema, got, stats := readBatches(t, mem, gbkPath, o, tc.chunk)
		if !schema.Equal(wantSchema) {
			t.Errorf("%s: schema\n%v\nwant\n%v", tc.encoding, schema, wantSchema)
		}
		if stats.Encoding != tc.detected || stats.RowsRead != wantStats.RowsRead || stats.RowsWritten != wantStats.RowsWritten {
			t.Errorf("%s: stats %+v", tc.encoding, stats)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d batches, want %d", tc.encoding, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if !array.RecordEqual(got[i], want[i]) {
				t.Errorf("%s chunk %d: batch %d differs", tc.encoding, tc.chunk, i)
			}
		}
		releaseAll(got)
	}
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

func TestGB18030Only(t *testing.T) {
	// Characters outside GBK: four-byte GB18030 codes (incl. U+FFFD itself).
	text := "编号,姓名\n1,𠀀𠀁\n2,€ ✓ \uFFFD\n3,ＡＢＣ 你好\n"
	p := encodeFile(t, simplifiedchinese.GB18030, "gb.csv", []byte(text))
	got := mustRead(t, p, CSVOptions{Encoding: "gb18030"})
	want := mustRead(t, writeFile(t, "u.csv", text), CSVOptions{})
	if !sameResult(got.withoutBytes(), want.withoutBytes()) || len(got.rejects) != 0 {
		t.Errorf("gb18030 %+v\nutf-8 %+v", got, want)
	}
	// Rare characters only: "auto" either decodes them exactly or says it
	// cannot tell; it never guesses.
	auto, err := readAll(t, p, CSVOptions{}, chunkSize)
	if err != nil {
		if !errors.Is(err, ErrAmbiguousEncoding) {
			t.Errorf("auto: %v", err)
		}
	} else if auto.stats.Encoding != "gb18030" || len(auto.rows) != 3 || auto.rows[1][1] != "€ ✓ \uFFFD" {
		t.Errorf("auto: %+v", auto)
	}
}

func (r result) withoutBytes() result {
	r.stats.Bytes, r.stats.Encoding, r.stats.EncodingConfidence = 0, "", 0
	return r
}

func TestUndecodableGBK(t *testing.T) {
	res := mustRead(t, "testdata/gbk_invalid.csv", CSVOptions{})
	if res.stats.Encoding != "gb18030" {
		t.Errorf("encoding %q", res.stats.Encoding)
	}
	if len(res.rows) != 1 || strings.Join(res.rows[0], ",") != "1,张三,北京" {
		t.Errorf("rows %q", res.rows)
	}
	want := []Reject{
		{Line: 3, Column: "name", Reason: `undecodable bytes for encoding gb18030 at column "name"`, Raw: `2,bad\xFF,上海`},
		{Line: 4, Column: "city", Reason: `undecodable bytes for encoding gb18030 at column "city"`, Raw: `3,李四,cut\x81`},
	}
	if len(res.rejects) != len(want) {
		t.Fatalf("rejects %+v", res.rejects)
	}
	for i, w := range want {
		w.File = "testdata/gbk_invalid.csv"
		if res.rejects[i] != w {
			t.Errorf("reject %d:\n got %+v\nwant %+v", i, res.rejects[i], w)
		}
	}
	// Declared GBK: same rows, the reason names gbk.
	gbk := mustRead(t, "testdata/gbk_invalid.csv", CSVOptions{Encoding: "gbk"})
	if len(gbk.rejects) != 2 || !strings.Contains(gbk.rejects[0].Reason, "encoding gbk at") {
		t.Errorf("gbk rejects %+v", gbk.rejects)
	}
}

func TestUndecodableUTF8(t *testing.T) {
	in := "id,name\n1,张三\n2,bad\xE4\xB8\n3,李四\n4,\xC0\xAF\n" + strings.Repeat("5,王小明\n", 10)
	res := mustRead(t, writeFile(t, "u.csv", in), CSVOptions{})
	if res.stats.Encoding != "utf-8" || len(res.rows) != 12 || len(res.rejects) != 2 {
		t.Fatalf("%+v", res)
	}
	if r := res.rejects[0]; r.Line != 3 || r.Column != "name" || r.Reason != `undecodable bytes for encoding utf-8 at column "name"` || r.Raw != `2,bad\xE4\xB8` {
		t.Errorf("reject %+v", r)
	}
}

// TestAutoDetectsLate: the encoding is decided at the first non-ASCII byte,
// however late it comes; the ASCII before it reads the same either way.
func TestAutoDetectsLate(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for b.Len() < rawBufSize+2*detectWindow {
		b.WriteString("1,ascii only\n")
	}
	b.WriteString("2,张三\n3,李四\n")
	text := b.String()
	p := encodeFile(t, simplifiedchinese.GBK, "late.csv", []byte(text))
	for _, chunk := range []int{4096, chunkSize} {
		res, err := readAll(t, p, CSVOptions{}, chunk)
		if err != nil {
			t.Fatal(err)
		}
		n := len(res.rows)
		if res.stats.Encoding != "gb18030" || len(res.rejects) != 0 || res.rows[n-2][1] != "张三" || res.rows[n-1][1] != "李四" {
			t.Errorf("chunk %d: stats %+v, last rows %q", chunk, res.stats, res.rows[n-2:])
		}
	}
	all := mustRead(t, writeFile(t, "ascii.csv", "a\nx\n"), CSVOptions{})
	if all.stats.Encoding != "utf-8" {
		t.Errorf("ASCII file reported as %q", all.stats.Encoding)
	}
}

func TestLooksUTF8(t *testing.T) {
	zh := strings.Repeat("客户姓名地址电话", 40)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(zh)
	corrupt := zh[:30] + "\xFF" + zh[30:]
	tests := []struct {
		in    string
		final bool
		want  bool
	}{
		{zh, true, true},
		{zh[:len(zh)-1], false, true}, // a sequence cut by the window
		{zh[:len(zh)-1], true, true},  // nearly valid
		{zh[:6] + "\xFF", true, false},
		{gbk, true, false},
		{corrupt, true, true}, // a UTF-8 file with one bad byte stays UTF-8
		{"\xE9t\xE9", true, false},
	}
	for i, tc := range tests {
		if got := looksUTF8([]byte(tc.in), tc.final); got != tc.want {
			t.Errorf("%d: looksUTF8 = %v, want %v", i, got, tc.want)
		}
	}
}

// TestTranscodeMatchesXText compares our GBK/GB18030 decoder with x/text on
// random text (must be identical) and random bytes (where x/text produces
// U+FFFD we must produce invalid UTF-8, i.e. a reject, and nothing else).
func TestTranscodeMatchesXText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []rune("abc,\"\n 0123456789张王李赵€ü¥©—…々〇ＡＢＣ한글日本語𠀀𠀁😀\u0080\uFFFD\uE000")
	for _, enc := range []struct {
		e    textEncoding
		x    encoding.Encoding
		full bool // can encode every rune of the pool
	}{{encGB18030, simplifiedchinese.GB18030, true}, {encGBK, simplifiedchinese.GBK, false}} {
		s := newSource(nil, charset{kind: enc.e, name: enc.e.String()}, 0)
		for range 300 {
			var sb strings.Builder
			for range rng.IntN(200) {
				sb.WriteRune(pool[rng.IntN(len(pool))])
			}
			in, err := enc.x.NewEncoder().Bytes([]byte(sb.String()))
			if err != nil {
				if enc.full {
					t.Fatal(err)
				}
				continue
			}
			want, _ := enc.x.NewDecoder().Bytes(in)
			got := transcodeAll(s, in)
			if !bytes.Equal(got, want) {
				t.Fatalf("%v: transcode(%x) = %q, want %q", enc.e, in, got, want)
			}
		}
		for range 3000 {
			in := make([]byte, rng.IntN(12))
			for i := range in {
				in[i] = byte(rng.IntN(256))
			}
			want, _ := enc.x.NewDecoder().Bytes(in)
			got := transcodeAll(s, in)
			hasFFFD := bytes.ContainsRune(want, utf8.RuneError) && !bytes.Contains(in, []byte{0x84, 0x31, 0xA4, 0x37})
			if utf8.Valid(got) == hasFFFD {
				t.Fatalf("%v: transcode(%x) = %q, x/text %q", enc.e, in, got, want)
			}
			if !hasFFFD && !bytes.Equal(got, want) {
				t.Fatalf("%v: transcode(%x) = %q, want %q", enc.e, in, got, want)
			}
		}
	}
}

// transcodeAll decodes b in pieces, as the reader does.
func transcodeAll(s *source, b []byte) []byte {
	var out []byte
	dst := make([]byte, 3*len(b)+8)
	for len(b) > 0 {
		piece := b[:min(len(b), 5)]
		nd, ns := s.transcode(dst, piece, len(piece) == len(b))
		if ns == 0 {
			piece = b[:min(len(b), 8)]
			nd, ns = s.transcode(dst, piece, len(piece) == len(b))
		}
		out = append(out, dst[:nd]...)
		b = b[ns:]
	}
	return out
}
