package extract

import (
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzByteaHex: decoding PostgreSQL hex bytea output never panics, and what
// it accepts round-trips through hex.
func FuzzByteaHex(f *testing.F) {
	for _, s := range []string{`\x`, `\x00ff10`, `\xZZ`, `\x0`, `x00`, ``, `\\x00`, `\xABcd`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		out, ok := decodeByteaHex(v, nil)
		if ok && `\x`+hex.EncodeToString(out) != strings.ToLower(string(v)) {
			t.Errorf("%q decoded to %x", v, out)
		}
	})
}
