package rules

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedValues adds testdata/values.txt and the built-in examples to f.
func seedValues(f *testing.F) {
	file, err := os.Open(filepath.Join("testdata", "values.txt"))
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			f.Add(line)
		}
	}
	packs, err := loadBuiltin(testToday)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range packs[0].Classes {
		for _, e := range append(c.Examples.Match, c.Examples.NoMatch...) {
			f.Add(e.Text)
		}
	}
}

// FuzzValidators runs every validator on arbitrary input: none may panic or
// hang, and the check-digit validators must agree with their definitions.
func FuzzValidators(f *testing.F) {
	seedValues(f)
	env := testEnv(f)
	table := validatorTable()
	fns := map[string]func(string) bool{}
	for n, d := range table {
		fns[n] = d.fn(env)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range fns {
			fn(s)
		}
		if ValidPaymentCard(s) {
			d, _ := compactDigits(s, " -")
			if !LuhnValid(d) || len(d) < 12 || len(d) > 19 {
				t.Errorf("ValidPaymentCard(%q) without Luhn/length", s)
			}
		}
		if residentID18(s, testToday) {
			c, ok := GB11643CheckChar(strings.ReplaceAll(s, " ", "")[:17])
			if !ok || !strings.EqualFold(string(c), strings.ReplaceAll(s, " ", "")[17:]) {
				t.Errorf("gb11643 accepted %q with a wrong check character", s)
			}
		}
		if ValidSocialCreditCode(s) {
			u := strings.ToUpper(s)
			if c, ok := GB32100CheckChar(u[:17]); !ok || c != u[17] {
				t.Errorf("gb32100 accepted %q", s)
			}
		}
		if ValidIBAN(s) {
			u := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
			if r, ok := ibanMod97(u[4:] + u[:4]); !ok || r != 1 {
				t.Errorf("iban accepted %q", s)
			}
		}
		if ValidCNMobile(s) && !ValidPhone(s) {
			t.Errorf("cn_mobile but not phone: %q", s)
		}
		if d, ok := ParseDate(s); ok && (d.Year() < 1800 || d.Year() > 2200) {
			t.Errorf("ParseDate(%q) = %v out of range", s, d)
		}
		NormalizeValue(s)
		NormalizeHeader(s)
	})
}

// FuzzFindInText checks that findings are ordered, in bounds, on UTF-8
// boundaries of valid text and that containsPII agrees with them.
func FuzzFindInText(f *testing.F) {
	seedValues(f)
	f.Add("联系 13812345678 或 a.b@example.com，身份证11010519491231002X。")
	f.Add("x+1@+86 138")
	f.Fuzz(func(t *testing.T, s string) {
		fs := FindInText(s)
		for _, x := range fs {
			if x.Start < 0 || x.End > len(s) || x.Start >= x.End {
				t.Fatalf("bad span %+v in %q", x, s)
			}
			if utf8.ValidString(s) && (!utf8.ValidString(s[:x.Start]) || !utf8.ValidString(s[x.End:])) {
				t.Fatalf("span %+v splits a character in %q", x, s)
			}
		}
		if containsPII(s) && len(fs) == 0 {
			t.Fatalf("containsPII(%q) without findings", s)
		}
	})
}

// FuzzLoad feeds arbitrary YAML to the pack loader: it must return a pack or
// a *PackError, never panic, and a pack it accepts passes its own examples.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "packs", "*", "*.yaml"))
	files = append(files, filepath.Join("packs", "dataclasses.yaml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte("format: 1\nclasses: [[]]"))
	env := testEnv(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := load("fuzz.yaml", data, env)
		if err != nil {
			if _, ok := err.(*PackError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if fails := p.Test(); len(fails) > 0 {
			t.Fatalf("accepted pack fails its examples: %v", fails)
		}
		if _, err := NewSet(p); err != nil {
			t.Fatalf("NewSet: %v", err)
		}
	})
}

// FuzzProtection round-trips protections through their text form.
func FuzzProtection(f *testing.F) {
	for _, s := range []string{"pseudonym", "mask(keep_prefix=3,keep_suffix=4)", "bucket(width=10)", "mask(", "x(y=1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProtection(s)
		if err != nil {
			return
		}
		q, err := ParseProtection(p.String())
		if err != nil || q.String() != p.String() {
			t.Fatalf("round trip %q → %q → %v, %v", s, p.String(), q, err)
		}
	})
}

// FuzzPhoneInRegion: the per-row phone check and the country lookup take
// arbitrary values and regions without panicking; a phone of a region has
// a phone's shape.
func FuzzPhoneInRegion(f *testing.F) {
	seedValues(f)
	f.Fuzz(func(t *testing.T, s string) {
		region := CountryCode(s)
		if region != "" && len(region) != 2 {
			t.Fatalf("CountryCode(%q) = %q", s, region)
		}
		for _, r := range []string{"GB", "CN", "US", "DE", region, s} {
			if PhoneInRegion(s, r) {
				if _, _, _, ok := phoneShape(s); !ok {
					t.Fatalf("PhoneInRegion(%q, %q) without a phone's shape", s, r)
				}
			}
		}
	})
}
