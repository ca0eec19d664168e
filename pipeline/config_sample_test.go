package pipeline

import "testing"

func TestParseSample(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		bad  bool
	}{
		{"5%", 0.05, false}, {"0.5%", 0.005, false}, {"100%", 1, false}, {"0.25", 0.25, false},
		{"0%", 0, true}, {"101%", 0, true}, {"-1%", 0, true}, {"abc", 0, true}, {"", 0, true}, {"NaN", 0, true}, {"2", 0, true},
	} {
		got, err := ParseSample(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("ParseSample(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}
