package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// matrixText is one public-domain text of testdata/text (see its README).
type matrixText struct{ lang, file string }

var matrixTexts = []matrixText{
	{"en", "alice-en-utf-8.txt"},
	{"fr", "candide-utf-8.txt"},
	{"es", "quijote-es-utf-8.txt"},
	{"pt", "casmurro-pt-utf-8.txt"},
	{"de", "verwandlung-de-utf-8.txt"},
	{"zh-hans", "sunzi-bingfa-simplified-utf-8.txt"},
	{"zh-hant", "sunzi-bingfa-traditional-utf-8.txt"},
	{"ja", "rashomon-utf-8.txt"},
	{"ko", "unsu-joh-eun-nal-utf-8.txt"},
}

type matrixEncoding struct {
	name string // as a user would declare it
	enc  encoding.Encoding
	bom  []byte
}

var matrixEncodings = []matrixEncoding{
	{"utf-8", unicode.UTF8, nil},
	{"utf-8", unicode.UTF8, bomUTF8}, // with BOM
	{"utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bomUTF16LE},
	{"utf-16be", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), bomUTF16BE},
	{"gb18030", simplifiedchinese.GB18030, nil},
	{"gbk", simplifiedchinese.GBK, nil},
	{"big5", traditionalchinese.Big5, nil},
	{"shift_jis", japanese.ShiftJIS, nil},
	{"euc-kr", korean.EUCKR, nil},
	{"windows-1252", charmap.Windows1252, nil},
	{"iso-8859-1", charmap.ISO8859_1, nil},
	{"iso-8859-15", charmap.ISO8859_15, nil},
}

// matrixLines returns the text's lines (after the provenance header).
func matrixLines(t testing.TB, file string) []string {
	b, err := os.ReadFile(filepath.Join("testdata", "text", file))
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(b), "--------\n")
	if !ok {
		t.Fatalf("%s: no provenance separator", file)
	}
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(strings.ReplaceAll(l, "\r", "")); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// encodable drops from the lines the characters enc cannot write (so that
// French text still makes a GBK cell, minus its ç), and returns nil when
// that would leave less than half of the non-ASCII characters: such a cell
// is "n/a".
func encodable(enc encoding.Encoding, lines []string) []string {
	var out []string
	kept, dropped := 0, 0
	for _, l := range lines {
		var b strings.Builder
		for _, r := range l {
			if r < 0x80 {
				b.WriteRune(r)
				continue
			}
			if _, err := enc.NewEncoder().String(string(r)); err != nil {
				dropped++
				continue
			}
			kept++
			b.WriteRune(r)
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
	}
	if dropped > kept {
		return nil
	}
	return out
}

// matrixCSV builds a CSV of about size bytes (UTF-8) from the text's lines,
// one quoted line per row; it returns the file and the expected values.
func matrixCSV(lines []string, size int) (string, []string) {
	var b strings.Builder
	b.WriteString("id,text\r\n")
	var want []string
	for i := 0; b.Len() < size; i++ {
		l := lines[i%len(lines)]
		if room := size - b.Len() - 16; room < len(l) && i > 0 {
			// Cut the last row at a rune boundary to hit the size.
			r := []rune(l)
			for len(string(r)) > max(room, 1) && len(r) > 1 {
				r = r[:len(r)*3/4]
			}
			l = string(r)
		}
		fmt.Fprintf(&b, "%d,\"%s\"\r\n", i+1, strings.ReplaceAll(l, `"`, `""`))
		want = append(want, l)
	}
	return b.String(), want
}

// TestEncodingMatrix is the "Must show" matrix: every text in every
// encoding that can write it, at several sizes. "auto" must decode it
// exactly or refuse with ErrAmbiguousEncoding; the declared encoding must
// decode it exactly. A silent wrong decode fails the test. The matrix is
// printed (go test -v -run TestEncodingMatrix). Characters an encoding
// cannot write are dropped from its text; a cell is n/a when that would drop
// most of them. Sizes up to 256 KiB run by default (16 KiB with -short); set
// VIGIL_ENC_MATRIX_LARGE=1 to add 4 MiB and 50 MiB files (beyond the
// detector's 1 MiB window: decided on a sample, the rest checked as read).
func TestEncodingMatrix(t *testing.T) {
	sizes := []int{1 << 10, 16 << 10, 256 << 10}
	if testing.Short() {
		sizes = sizes[:2]
	}
	if os.Getenv("VIGIL_ENC_MATRIX_LARGE") != "" {
		sizes = append(sizes, 4<<20, 50<<20)
	}
	dir := t.TempDir()
	var report strings.Builder
	fmt.Fprintf(&report, "%-8s %-14s", "text", "encoding")
	for _, s := range sizes {
		fmt.Fprintf(&report, " %9s", sizeName(s))
	}
	report.WriteString("\n")
	counts := map[string]int{}
	for _, tx := range matrixTexts {
		all := matrixLines(t, tx.file)
		for _, me := range matrixEncodings {
			lines := encodable(me.enc, all)
			label := me.name
			if me.bom != nil && me.name == "utf-8" {
				label = "utf-8+bom"
			}
			fmt.Fprintf(&report, "%-8s %-14s", tx.lang, label)
			for _, size := range sizes {
				if lines == nil {
					fmt.Fprintf(&report, " %9s", "n/a")
					counts["n/a"]++
					continue
				}
				text, want := matrixCSV(lines, size)
				enc, err := me.enc.NewEncoder().Bytes([]byte(text))
				if err != nil {
					fmt.Fprintf(&report, " %9s", "n/a")
					counts["n/a"]++
					continue
				}
				path := filepath.Join(dir, "m.csv")
				if err := os.WriteFile(path, append(append([]byte{}, me.bom...), enc...), 0o600); err != nil {
					t.Fatal(err)
				}
				cell := matrixCell(t, path, "auto", want)
				if cell == "ok" {
					// The declared encoding must always read it exactly.
					if d := matrixCell(t, path, me.name, want); d != "ok" {
						t.Errorf("%s %s %s: declared encoding: %s", tx.lang, label, sizeName(size), d)
					}
				}
				if cell != "ok" && cell != "refused" {
					t.Errorf("%s %s %s: auto: %s", tx.lang, label, sizeName(size), cell)
					cell = "WRONG"
				}
				counts[cell]++
				fmt.Fprintf(&report, " %9s", cell)
			}
			report.WriteString("\n")
		}
	}
	fmt.Fprintf(&report, "cells: %d ok (exact), %d refused (ambiguity error), %d n/a (text not encodable), %d wrong\n",
		counts["ok"], counts["refused"], counts["n/a"], counts["WRONG"])
	t.Log("\n" + report.String())
}

func sizeName(s int) string {
	switch {
	case s >= 1<<20:
		return fmt.Sprintf("%dMiB", s>>20)
	default:
		return fmt.Sprintf("%dKiB", s>>10)
	}
}

// matrixCell reads path with the encoding and compares the text column.
func matrixCell(t *testing.T, path, encoding string, want []string) string {
	res, err := readAll(t, path, CSVOptions{Encoding: encoding, Types: map[string]Type{"text": TypeString}}, chunkSize)
	if err != nil {
		if errors.Is(err, ErrAmbiguousEncoding) {
			return "refused"
		}
		return "error: " + err.Error()
	}
	if len(res.rejects) > 0 {
		return fmt.Sprintf("%d rejects, first: %s", len(res.rejects), res.rejects[0].Reason)
	}
	if len(res.rows) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(res.rows), len(want))
	}
	for i, row := range res.rows {
		if row[1] != want[i] {
			return fmt.Sprintf("row %d differs (read as %s)", i+1, res.stats.Encoding)
		}
	}
	return "ok"
}
