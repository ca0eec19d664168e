package extract

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzXLSXSheet feeds arbitrary worksheet and shared-strings XML, in a
// well-formed package, to the .xlsx reader: no panic, errors name the
// file, the row accounting holds.
func FuzzXLSXSheet(f *testing.F) {
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c r="A1" s="1"><v>45000.5</v></c><c r="B2"><v>1.5</v></c></row></sheetData><mergeCells><mergeCell ref="A2:A3"/></mergeCells></worksheet>`, `<sst><si><t>id</t></si><si><r><t>x</t></r><rPh><t>y</t></rPh></si></sst>`)
	f.Add(`<x:worksheet xmlns:x="u"><x:sheetData><x:row><x:c t="b"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`, `<sst/>`)
	f.Add(`<worksheet><sheetData><row><c><v><![CDATA[1<2]]></v></c></row><!-- c --></sheetData></worksheet>`, ``)
	f.Add(`<worksheet><sheetData/></worksheet>`, `<sst><si><t>&#x4e2d;&amp;_x000D_</t></si></sst>`)
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		path := filepath.Join(t.TempDir(), "f.xlsx")
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(out)
		for name, body := range map[string]string{
			"_rels/.rels":                `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
			"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
			"xl/styles.xml":              `<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>`,
			"xl/worksheets/sheet1.xml":   sheet,
			"xl/sharedStrings.xml":       sst,
		} {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
		zw.Close()
		out.Close()
		r, err := Open(context.Background(), path, CSVOptions{SampleRows: 3, MaxRecordBytes: 300, Header: HeaderNo}, "")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != path {
				t.Fatalf("error without file: %v", err)
			}
			return
		}
		defer r.Close()
		for r.Next() {
		}
		if s := r.Stats(); s.RowsRead != s.RowsWritten+s.RowsRejected {
			t.Fatalf("stats %+v", s)
		}
	})
}
