package main

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// TestChromiumPDF prints a page to PDF the way `vigil audit --pdf` does.
func TestChromiumPDF(t *testing.T) {
	t.Parallel()
	bin, err := chromiumBinary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	pdf, err := chromiumPDF(bin, t.TempDir())(context.Background(), []byte(`<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><h1>审计报告 audit report</h1></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 1000 {
		t.Fatalf("not a PDF: %d bytes", len(pdf))
	}
}
