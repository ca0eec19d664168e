package anonymize

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-dg/vigil/rules"
)

// hmacTokenizer is the test tokenizer: HMAC-SHA256(key, label ‖ 0 ‖ data).
type hmacTokenizer struct{ key []byte }

func (h hmacTokenizer) Token(label string, data []byte) ([]byte, error) {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil), nil
}

type failingTokenizer struct{}

func (failingTokenizer) Token(string, []byte) ([]byte, error) { return nil, errors.New("key locked") }

var (
	keyA = hmacTokenizer{key: []byte("test-pseudonym-key-A-0123456789ab")}
	keyB = hmacTokenizer{key: []byte("test-pseudonym-key-B-0123456789ab")}
)

func TestMaskValue(t *testing.T) {
	cases := []struct {
		v        string
		pre, suf int
		email    bool
		want     string
	}{
		{"13812345678", 3, 4, false, "138****5678"},
		{"11010519900101002X", 6, 4, false, "110105********002X"},
		{"john@example.com", 1, 0, true, "j***@example.com"},
		{"a@example.com", 1, 0, true, "*@example.com"},
		{"张三丰", 1, 0, false, "张**"},
		{"123", 3, 4, false, "***"},
		{"", 1, 1, false, ""},
		{"no-at-sign", 1, 0, true, "n*********"},
	}
	for _, c := range cases {
		if got := MaskValue(c.v, c.pre, c.suf, '*', c.email); got != c.want {
			t.Errorf("MaskValue(%q, %d, %d) = %q, want %q", c.v, c.pre, c.suf, got, c.want)
		}
	}
}

func TestPseudonymDeterministicAndKeyed(t *testing.T) {
	p := Protection{Method: MethodPseudonym, Domain: "cn_mobile", Prefix: "tok_", TokenBytes: 16, Encoding: "base32"}
	a1, err := Pseudonym(keyA, p, "13812345678")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := Pseudonym(keyA, p, "13812345678")
	b1, _ := Pseudonym(keyB, p, "13812345678")
	other, _ := Pseudonym(keyA, p, "13812345679")
	if a1 != a2 {
		t.Errorf("same key and value: %q != %q", a1, a2)
	}
	if a1 == b1 {
		t.Errorf("different keys give the same token %q", a1)
	}
	if a1 == other {
		t.Errorf("different values give the same token %q", a1)
	}
	if !strings.HasPrefix(a1, "tok_") || len(a1) != 4+26 || strings.ToLower(a1) != a1 {
		t.Errorf("token %q: want tok_ + 26 lower-case base32 characters", a1)
	}
	q := p
	q.Domain = "email"
	if c, _ := Pseudonym(keyA, q, "13812345678"); c == a1 {
		t.Error("different domains give the same token")
	}
	h := p
	h.Encoding, h.Prefix = "hex", "h_"
	if x, _ := Pseudonym(keyA, h, "x"); !strings.HasPrefix(x, "h_") || len(x) != 2+32 {
		t.Errorf("hex token %q", x)
	}
	if _, err := Pseudonym(failingTokenizer{}, p, "x"); !errors.Is(err, ErrTokenizer) {
		t.Errorf("failing tokenizer: err = %v", err)
	}
	if _, err := Pseudonym(nil, p, "x"); !errors.Is(err, ErrTokenizer) {
		t.Errorf("nil tokenizer: err = %v", err)
	}
}

func TestFormatPreservingPseudonyms(t *testing.T) {
	cases := []struct {
		format string
		fixed  int
		v      string
		check  func(in, out string) bool
	}{
		{"cn_mobile", 1, "13812345678", func(in, out string) bool {
			return len(out) == 11 && out[0] == '1' && allDigitsStr(out)
		}},
		{"cn_mobile", 1, "+86 138-1234-5678", func(in, out string) bool {
			return strings.HasPrefix(out, "+86 1") && len(out) == len(in) && out[7] == '-' && out[12] == '-'
		}},
		{"cn_id", 0, "11010519900101002X", func(in, out string) bool {
			c, ok := rules.GB11643CheckChar(out[:17])
			return len(out) == 18 && ok && out[17] == c
		}},
		{"card", 6, "6222021234567890123", func(in, out string) bool {
			return len(out) == len(in) && out[:6] == "622202" && rules.LuhnValid(out)
		}},
		{"digits", 2, "0755-88886666", func(in, out string) bool {
			return strings.HasPrefix(out, "07") && out[4] == '-' && len(out) == len(in)
		}},
	}
	for _, c := range cases {
		p := Protection{Method: MethodPseudonym, Domain: "d", Format: c.format, FixedPrefix: c.fixed}
		out, err := Pseudonym(keyA, p, c.v)
		if err != nil {
			t.Fatal(err)
		}
		if !c.check(c.v, out) {
			t.Errorf("%s(%q) = %q: wrong shape", c.format, c.v, out)
		}
		again, _ := Pseudonym(keyA, p, c.v)
		other, _ := Pseudonym(keyB, p, c.v)
		if again != out || other == out || out == c.v {
			t.Errorf("%s: not deterministic/keyed: %q %q %q", c.format, out, again, other)
		}
	}
	// Punctuation does not change the digits.
	p := Protection{Method: MethodPseudonym, Domain: "d", Format: "cn_mobile", FixedPrefix: 1}
	a, _ := Pseudonym(keyA, p, "138-1234-5678")
	b, _ := Pseudonym(keyA, p, "13812345678")
	if strings.ReplaceAll(a, "-", "") != b {
		t.Errorf("formatted %q vs plain %q", a, b)
	}
}

func allDigitsStr(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func TestShiftDays(t *testing.T) {
	seen := map[int]bool{}
	for _, subj := range []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"} {
		d, err := ShiftDays(keyA, subj, 30)
		if err != nil {
			t.Fatal(err)
		}
		if d == 0 || d < -30 || d > 30 {
			t.Errorf("shift %d out of [-30,-1]∪[1,30]", d)
		}
		if again, _ := ShiftDays(keyA, subj, 30); again != d {
			t.Errorf("shift not deterministic")
		}
		seen[d] = true
	}
	if len(seen) < 3 {
		t.Errorf("shifts barely vary: %v", seen)
	}
	if s, err := shiftDateString("2024-02-28", 2); err != nil || s != "2024-03-01" {
		t.Errorf("shiftDateString = %q, %v", s, err)
	}
}

// FuzzMaskValue: masking keeps the length in characters and never reveals
// more than the kept prefix and suffix.
func FuzzMaskValue(f *testing.F) {
	f.Add("13812345678", 3, 4, false)
	f.Add("john@example.com", 1, 0, true)
	f.Add("张三", 1, 1, false)
	f.Fuzz(func(t *testing.T, v string, pre, suf int, email bool) {
		if pre < 0 || suf < 0 || pre > 64 || suf > 64 || !utf8.ValidString(v) {
			return
		}
		out := MaskValue(v, pre, suf, '*', email)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(v) {
			t.Fatalf("length changed: %q → %q", v, out)
		}
		if utf8.RuneCountInString(v) > pre+suf+1 && !email && out == v && strings.Trim(v, "*") != "" {
			t.Fatalf("nothing masked in %q", v)
		}
	})
}

// FuzzFormatToken: format-preserving tokens never panic, keep the length
// in characters and keep every non-digit character in place.
func FuzzFormatToken(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "11010519900101002X", "6222021234567890123", "abc", "１２３", ""} {
		for _, format := range []string{"digits", "cn_mobile", "cn_id", "card"} {
			f.Add(s, format, 1)
		}
	}
	f.Fuzz(func(t *testing.T, v, format string, fixed int) {
		if fixed < 0 || fixed > 32 || !utf8.ValidString(v) {
			return
		}
		switch format {
		case "digits", "cn_mobile", "cn_id", "card":
		default:
			return
		}
		p := Protection{Method: MethodPseudonym, Domain: "f", Format: format, FixedPrefix: fixed}
		out, err := Pseudonym(keyA, p, v)
		if err != nil {
			t.Fatal(err)
		}
		in := []rune(strings.TrimSpace(v))
		hasDigit := strings.ContainsAny(v, "0123456789")
		if !hasDigit {
			if !strings.HasPrefix(out, "tok_") {
				t.Fatalf("%q without digits gave %q", v, out)
			}
			return
		}
		o := []rune(out)
		if len(o) != len(in) {
			t.Fatalf("%q → %q: length changed", v, out)
		}
		for i, c := range in {
			if !isDigit(c) && c != 'X' && c != 'x' && o[i] != c {
				t.Fatalf("%q → %q: non-digit at %d changed", v, out, i)
			}
		}
	})
}
