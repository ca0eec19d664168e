package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in     string
		strict bool
		want   int64
		ok     bool
	}{
		{"0", true, 0, true},
		{"-0", true, 0, true},
		{"42", true, 42, true},
		{"-42", true, -42, true},
		{"007", true, 0, false},
		{"007", false, 7, true},
		{"+5", true, 0, false},
		{"+5", false, 5, true},
		{"1,234", true, 1234, true},
		{"1,234,567", true, 1234567, true},
		{"12,34", true, 0, false},
		{"1234,567", true, 0, false},
		{",123", true, 0, false},
		{"1,", true, 0, false},
		{"0,123", true, 0, false},
		{"9223372036854775807", true, 9223372036854775807, true},
		{"-9223372036854775808", true, -9223372036854775808, true},
		{"9223372036854775808", true, 0, false},
		{"5.0", true, 0, false},
		{"5.0", false, 5, true},
		{"5.5", false, 0, false},
		{"-", false, 0, false},
		{"", false, 0, false},
		{"1e3", false, 0, false},
		{"１２", false, 0, false},
	}
	for _, tc := range tests {
		got, ok := parseInt([]byte(tc.in), tc.strict)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseInt(%q, %v) = %d, %v; want %d, %v", tc.in, tc.strict, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in          string
		prec, scale int32
		strict      bool
		want        string // "" = not ok
	}{
		{"1.5", 18, 2, true, "1.50"},
		{"-1.5", 18, 2, true, "-1.50"},
		{"1,234,567.89", 18, 2, true, "1234567.89"},
		{"0.05", 18, 2, true, "0.05"},
		{".5", 18, 2, true, "0.50"},
		{"5.", 18, 2, true, ""},
		{"5.", 18, 2, false, "5.00"},
		{"00.5", 18, 2, true, ""},
		{"00.5", 18, 2, false, "0.50"},
		{"1.555", 18, 2, true, ""},
		{"1.550", 18, 2, true, "1.55"},
		{"12345678", 10, 2, true, "12345678.00"},
		{"123456789", 10, 2, true, ""},
		{"99999999999999999999999999999999999.999", 38, 3, true, "99999999999999999999999999999999999.999"},
		{"-99999999999999999999999999999999999.999", 38, 3, true, "-99999999999999999999999999999999999.999"},
		{"999999999999999999999999999999999999.999", 38, 3, true, ""},
		{"1.5e3", 18, 2, false, ""},
		{"abc", 18, 2, false, ""},
		{"0", 5, 5, true, "0.00000"},
		{"1", 5, 5, true, ""},
	}
	for _, tc := range tests {
		got, ok := parseDecimal([]byte(tc.in), tc.prec, tc.scale, tc.strict)
		gotS := ""
		if ok {
			gotS = got.ToString(tc.scale)
		}
		if gotS != tc.want {
			t.Errorf("parseDecimal(%q, %d, %d, %v) = %q, want %q", tc.in, tc.prec, tc.scale, tc.strict, gotS, tc.want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, tc := range []struct {
		in       string
		strict   bool
		want, ok bool
	}{
		{"true", true, true, true}, {"FALSE", true, false, true}, {"Yes", true, true, true}, {"no", true, false, true},
		{"t", true, true, true}, {"F", true, false, true}, {"1", true, false, false}, {"1", false, true, true},
		{"0", false, false, true}, {"y", true, false, false}, {"truee", true, false, false}, {"", true, false, false},
	} {
		got, ok := parseBool([]byte(tc.in), tc.strict)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseBool(%q, %v) = %v, %v", tc.in, tc.strict, got, ok)
		}
	}
}

func TestParseDateAndTimestamp(t *testing.T) {
	day := func(s string) int32 {
		tm, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return int32(tm.Unix() / 86400)
	}
	for _, tc := range []struct{ in, want string }{
		{"2024-01-31", "2024-01-31"}, {"2024/2/29", "2024-02-29"}, {"2023/02/29", ""}, {"1900-02-29", ""},
		{"2000-02-29", "2000-02-29"}, {"2024年12月1日", "2024-12-01"}, {"2024.05.06", "2024-05-06"},
		{"2024-1-2", "2024-01-02"}, {"2024-13-01", ""}, {"2024-00-10", ""}, {"0000-01-01", ""},
		{"0001-01-01", "0001-01-01"}, {"1969-12-31", "1969-12-31"}, {"2024-01-01x", ""}, {"2024-01/01", ""},
		{"24-01-01", ""}, {"20240101", ""}, {"2024年1月", ""},
	} {
		got, ok := parseDate([]byte(tc.in))
		if (tc.want == "") != !ok || (ok && got != day(tc.want)) {
			t.Errorf("parseDate(%q) = %d, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"2024-01-02 03:04:05", "2024-01-02T03:04:05Z"},
		{"2024-01-02T03:04:05.5", "2024-01-02T03:04:05.5Z"},
		{"2024-01-02 03:04:05.123456789", ""},
		{"2024-01-02 03:04:05.123456000", "2024-01-02T03:04:05.123456Z"},
		{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"},
		{"2024-01-02T03:04:05+08:00", "2024-01-01T19:04:05Z"},
		{"2024-01-02T03:04:05-0130", "2024-01-02T04:34:05Z"},
		{"2024-01-02T03:04:05+08", "2024-01-01T19:04:05Z"},
		{"2024-01-02 03:04:05 +08:00", "2024-01-01T19:04:05Z"},
		{"2024/1/2 3:04", "2024-01-02T03:04:00Z"},
		{"2024年1月2日 03:04:05", "2024-01-02T03:04:05Z"},
		{"2024-01-02", "2024-01-02T00:00:00Z"},
		{"2024-01-02 24:00:00", ""}, {"2024-01-02 23:60:00", ""}, {"2024-01-02 23:59:60", ""},
		{"2024-01-02 3:4:5", ""}, {"2024-01-02 03:04:05Zx", ""}, {"2024-01-02 03:04:05+25:00", ""},
		{"2024-01-02 03:04:05.", ""}, {"2024-01-02X03:04:05", ""}, {"2024-01-02 ", ""},
	} {
		got, _, ok := parseTimestamp([]byte(tc.in))
		if tc.want == "" {
			if ok {
				t.Errorf("parseTimestamp(%q) = %d, want failure", tc.in, got)
			}
			continue
		}
		want, err := time.Parse(time.RFC3339Nano, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || got != want.UnixMicro() {
			t.Errorf("parseTimestamp(%q) = %v, %v; want %s", tc.in, time.UnixMicro(got).UTC(), ok, tc.want)
		}
	}
}

// TestFastPathsAgree checks every fast path against the general parser on
// random inputs built from the characters that matter.
func TestFastPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func(alphabet string, n int) []byte {
		b := make([]byte, rng.IntN(n+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range 200000 {
		num := gen("0000123456789--..,+", 22)
		strict := rng.IntN(2) == 0
		if a, aok := parseInt(num, strict); true {
			b, bok := parseIntSlow(num, strict)
			if aok != bok || a != b {
				t.Fatalf("parseInt(%q, %v) = %d %v, slow %d %v", num, strict, a, aok, b, bok)
			}
		}
		scale := int32(rng.IntN(20))
		prec := scale + int32(rng.IntN(int(MaxDecimalPrecision-scale)+1))
		if prec == 0 {
			prec = 1
		}
		a, aok := parseDecimal(num, prec, scale, strict)
		b, bok := parseDecimalSlow(num, prec, scale, strict)
		if aok != bok || (aok && a != b) {
			t.Fatalf("parseDecimal(%q, %d, %d, %v) = %v %v, slow %v %v", num, prec, scale, strict, a, aok, b, bok)
		}
		ts := []byte([]string{"2024-02-29 23:59:59", "2024-02-29T23:59:59Z", "2024-02-29T23:59:59+08:00", "2024-02-29 23:59:59-23:59"}[rng.IntN(4)])
		for range rng.IntN(3) {
			ts[rng.IntN(len(ts))] = "0123456789 -:T9Z+"[rng.IntN(17)]
		}
		x, xd, xok := parseTimestamp(ts)
		y, yd, yok := parseTimestampSlow(ts)
		if xok != yok || (xok && (x != y || xd != yd)) {
			t.Fatalf("parseTimestamp(%q) = %d %v %v, slow %d %v %v", ts, x, xd, xok, y, yd, yok)
		}
		d := ts[:10]
		p, pok := parseDate(d)
		q, qok := parseDateSlow(d)
		if pok != qok || (pok && p != q) {
			t.Fatalf("parseDate(%q) = %d %v, slow %d %v", d, p, pok, q, qok)
		}
	}
}

func TestInference(t *testing.T) {
	tests := []struct {
		values []string
		want   string
	}{
		{nil, "string"},
		{[]string{"1", "22", "-3"}, "int64"},
		{[]string{"0", "1", "1", "0"}, "int64"},
		{[]string{"007", "12"}, "string"},
		{[]string{"01062345678"}, "string"},
		{[]string{"123456789012345"}, "int64"},
		{[]string{"1234567890123456"}, "string"},
		{[]string{"1", "2.50"}, "decimal(18,2)"},
		{[]string{"1,234,567.891"}, "decimal(18,3)"},
		{[]string{"123456789012345678.5"}, "decimal(38,1)"},
		{[]string{"1." + strings.Repeat("1", 38)}, "string"},
		{[]string{"1.5", "abc"}, "string"},
		{[]string{"yes", "No", "T"}, "bool"},
		{[]string{"yes", "1"}, "string"},
		{[]string{"2024-01-01", "2024/1/2"}, "date"},
		{[]string{"2024-01-01", "2024-01-01 10:00"}, "timestamp"},
		{[]string{"2024-01-01T10:00:00Z"}, "timestamp"},
		{[]string{"2024-01-01", "x"}, "string"},
		{[]string{"+8613800138000"}, "string"},
	}
	for _, tc := range tests {
		var f inference
		for _, v := range tc.values {
			f.observe([]byte(v))
		}
		if got := f.result().String(); got != tc.want {
			t.Errorf("infer(%q) = %s, want %s", tc.values, got, tc.want)
		}
	}
}

func TestDecimalMatchesArrow(t *testing.T) {
	for _, s := range []string{"123.45", "-0.01", "99999999999999999999999999999999999999", "-1"} {
		want, err := decimal128.FromString(s, 38, 2)
		if err != nil {
			want = decimal128.Num{}
		}
		got, ok := parseDecimal([]byte(s), 38, 2, false)
		if (err == nil) != ok || got != want {
			t.Errorf("parseDecimal(%q) = %v %v, arrow %v %v", s, got, ok, want, err)
		}
	}
}
