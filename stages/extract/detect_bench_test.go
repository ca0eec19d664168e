package extract

import (
	"strings"
	"testing"
)

// BenchmarkDetect1MiB: the one-off cost "auto" adds to a file (a 1 MiB
// window, every candidate decoded and scored).
func BenchmarkDetect1MiB(b *testing.B) {
	lines := matrixLines(b, "sunzi-bingfa-simplified-utf-8.txt")
	text, _ := matrixCSV(lines, 1<<20)
	i := strings.IndexFunc(text, func(r rune) bool { return r >= 0x80 })
	window := []byte(text[i:])
	b.SetBytes(int64(len(window)))
	for b.Loop() {
		if _, err := detectCharset(window, false); err != nil {
			b.Fatal(err)
		}
	}
}
