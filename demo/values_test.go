package demo

import (
	"maps"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/rules"
)

var (
	reISODate   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reSKU       = regexp.MustCompile(`^SKU-\d{4}-[A-Z]{2}$`)
	reGrouped   = regexp.MustCompile(`^\d{1,3}(,\d{3})*\.\d{2}$`)
	rePlain     = regexp.MustCompile(`^\d+\.\d{2}$`)
	reEmail     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	reMobileRun = regexp.MustCompile(`1[3-9]\d{9}`)
)

// normalizePhone strips the written forms back to 11 digits.
func normalizePhone(s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	s = strings.TrimPrefix(s, "+86")
	return strings.TrimPrefix(s, "0086")
}

func isMobile(d string) bool {
	if len(d) != 11 {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return slices.ContainsFunc(mobilePrefixes, func(p weighted) bool { return p.s == d[:3] })
}

func ibanValid(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 5 {
		return false
	}
	r, ok := ibanMod97(s[4:] + s[:4])
	return ok && r == 1
}

func ibanMod97(s string) (int, bool) {
	r := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		default:
			return 0, false
		}
	}
	return r, true
}

type ratio struct{ n, of int }

func (r *ratio) add(hit bool) {
	r.of++
	if hit {
		r.n++
	}
}
func (r ratio) pct() float64 { return 100 * float64(r.n) / float64(max(r.of, 1)) }

// TestCustomerValues checks every generated value: check digits, consistency
// between columns, formats, and the shares the package documents.
func TestCustomerValues(t *testing.T) {
	const seed = 21
	sum := generate(t, Options{Rows: 20000, Seed: seed})
	l := newLayout(seed)
	h, rows := readCSV(t, filepath.Join(sum.Dir, CustomersFile))
	var col [nCust]int
	for c := range col {
		col[c] = slices.Index(h, l.custHeader[c])
		if col[c] < 0 {
			t.Fatalf("column %s (%q) not in header", customerCols[c].key, l.custHeader[c])
		}
	}
	provByName := map[string]*province{}
	for i := range provinces {
		provByName[provinces[i].name] = &provinces[i]
	}
	cityProv := map[string]map[string]bool{} // city -> provinces
	for _, p := range provinces {
		for _, c := range p.cities {
			if cityProv[c.name] == nil {
				cityProv[c.name] = map[string]bool{}
			}
			cityProv[c.name][p.name] = true
		}
	}
	postals := func(p *province) []string {
		var s []string
		for _, c := range p.cities {
			for _, d := range c.districts {
				s = append(s, d.postal)
			}
		}
		return s
	}
	male, female := "男", "女"
	if l.genderMF {
		male, female = "M", "F"
	}
	indiv, biz := "individual", "business"
	if l.typeCN {
		indiv, biz = "个人", "企业"
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	var western, compound, idX, idnEmail, qqNumeric, ipv6, iban, spaced, business, notesPII, multiline ratio
	empty := map[int]*ratio{}
	for _, c := range []int{cGender, cBirth, cPhone, cEmail, cProvince, cCity, cAddress, cPostal, cIP, cScore, cOrderNo} {
		empty[c] = &ratio{}
	}
	phoneForms := map[string]bool{}
	for i, row := range rows {
		v := func(c int) string { return row[col[c]] }
		fail := func(c int, format string, args ...any) {
			t.Helper()
			t.Errorf("row %d (%s) column %s %q: "+format, append([]any{i + 1, row[0], customerCols[c].key, v(c)}, args...)...)
		}
		for c, r := range empty {
			r.add(v(c) == "")
		}

		name := v(cName)
		isWestern := name != "" && name[0] < 0x80
		western.add(isWestern)
		compound.add(slices.ContainsFunc(surnames[len(surnames)-10:], func(s surname) bool { return strings.HasPrefix(name, s.han) }))

		if g := v(cGender); g != "" && g != male && g != female {
			fail(cGender, "not %s/%s", male, female)
		}
		birth := v(cBirth)
		if birth != "" {
			bt, err := time.Parse(time.DateOnly, birth)
			if err != nil {
				fail(cBirth, "%v", err)
			}
			age := now.Year() - bt.Year()
			if now.Month() < bt.Month() || (now.Month() == bt.Month() && now.Day() < bt.Day()) {
				age--
			}
			if v(cAge) != strconv.Itoa(age) {
				fail(cAge, "want %d for birth %s", age, birth)
			}
			if age < 18 || age > 80 {
				fail(cAge, "implausible")
			}
		} else if v(cAge) != "" {
			fail(cAge, "age without birth date")
		}

		prov := provByName[v(cProvince)]
		if v(cProvince) != "" && prov == nil {
			fail(cProvince, "unknown province")
		}
		if c := v(cCity); c != "" && v(cProvince) != "" && !cityProv[c][v(cProvince)] {
			fail(cCity, "not in province %s", v(cProvince))
		}
		if a := v(cAddress); a != "" {
			if v(cCity) != "" && !strings.Contains(a, v(cCity)) {
				fail(cAddress, "does not name city %s", v(cCity))
			}
			if !strings.Contains(a, "号") {
				fail(cAddress, "no house number")
			}
		}
		if pc := v(cPostal); pc != "" && prov != nil && !slices.Contains(postals(prov), pc) {
			fail(cPostal, "not a postal code of %s", prov.name)
		}

		if id := v(cIDCard); id != "" {
			if isWestern {
				fail(cIDCard, "Western customer with a resident id")
			}
			check, ok := rules.GB11643CheckChar(id[:17])
			if len(id) != 18 || !ok || check != id[17] {
				fail(cIDCard, "fails the GB 11643 check")
			}
			idX.add(id[17] == 'X')
			if birth != "" && id[6:14] != strings.ReplaceAll(birth, "-", "") {
				fail(cIDCard, "birth date %s does not match", birth)
			}
			if prov != nil && id[:2] != prov.cities[0].districts[0].code[:2] {
				fail(cIDCard, "area code not in %s", prov.name)
			}
			if g := v(cGender); g != "" && ((id[16]-'0')%2 == 1) != (g == male) {
				fail(cIDCard, "sex digit contradicts gender %s", g)
			}
		} else if !isWestern {
			idX.add(false)
		}

		if p := v(cPhone); p != "" {
			d := normalizePhone(p)
			if !isMobile(d) {
				fail(cPhone, "not a mainland mobile number")
			}
			form := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return 'd'
				}
				return r
			}, p)
			phoneForms[form] = true
		}

		if e := v(cEmail); e != "" {
			if !reEmail.MatchString(e) {
				fail(cEmail, "not an e-mail address")
			}
			idnEmail.add(strings.IndexFunc(e, func(r rune) bool { return r >= 0x80 }) >= 0)
			local, dom, _ := strings.Cut(e, "@")
			_, err := strconv.Atoi(local)
			qqNumeric.add(dom == "qq.com" && err == nil)
		}

		switch typ := v(cType); typ {
		case indiv:
			business.add(false)
			if v(cCompany) != "" || v(cCredit) != "" {
				fail(cCompany, "company data for an individual")
			}
		case biz:
			business.add(true)
			if v(cCompany) == "" {
				fail(cCompany, "business without company name")
			}
			if code := v(cCredit); code != "" {
				check, ok := rules.GB32100CheckChar(code[:17])
				if len(code) != 18 || !ok || check != code[17] {
					fail(cCredit, "fails the GB 32100 check")
				}
				if gb11714Check([]byte(code[8:16])) != code[16] {
					fail(cCredit, "organization code fails the GB 11714 check")
				}
				if prov != nil && code[2:4] != prov.cities[0].districts[0].code[:2] {
					fail(cCredit, "registered outside %s", prov.name)
				}
			}
		default:
			fail(cType, "not %s/%s", indiv, biz)
		}

		if cd := v(cCard); cd != "" {
			spaced.add(strings.Contains(cd, " "))
			d := strings.ReplaceAll(cd, " ", "")
			if len(d) < 16 || len(d) > 19 || !rules.LuhnValid(d) {
				fail(cCard, "not a Luhn-valid card number of 16-19 digits")
			}
			if !strings.HasPrefix(d, "62") && !strings.HasPrefix(d, "4") && (d[0] != '5' || d[1] < '1' || d[1] > '5') {
				fail(cCard, "not UnionPay, Visa or Mastercard")
			}
		}
		iban.add(v(cIBAN) != "")
		if ib := v(cIBAN); ib != "" {
			compact := strings.ReplaceAll(ib, " ", "")
			wantLen := map[string]int{"DE": 22, "GB": 22, "FR": 27}[compact[:2]]
			if !ibanValid(ib) || len(compact) != wantLen {
				fail(cIBAN, "not a valid DE/GB/FR IBAN")
			}
		}
		if ip := v(cIP); ip != "" {
			a, err := netip.ParseAddr(ip)
			if err != nil || a.IsPrivate() || a.IsLoopback() {
				fail(cIP, "not a public IP address: %v", err)
			}
			ipv6.add(a.Is6())
		}
		st, err := time.Parse(time.DateTime, v(cSignup))
		if err != nil || st.After(now) || st.Before(now.AddDate(-9, 0, 0)) {
			fail(cSignup, "bad signup time: %v", err)
		}
		if o := v(cOrderNo); o != "" {
			if len(o) != 11 || o[0] != '1' || (o[1] != '1' && o[1] != '2') || isMobile(o) {
				fail(cOrderNo, "not 1+yymmdd+4 digits")
			}
			if _, err := time.Parse("060102", o[1:7]); err != nil {
				fail(cOrderNo, "no date inside: %v", err)
			}
		}
		if !reSKU.MatchString(v(cProduct)) {
			fail(cProduct, "not SKU-dddd-XX")
		}
		if !reGrouped.MatchString(v(cLTV)) {
			fail(cLTV, "not an amount with thousands separators")
		}
		if s := v(cScore); s != "" {
			if n, err := strconv.Atoi(s); err != nil || n < 350 || n > 950 {
				fail(cScore, "not a score 350..950")
			}
		}
		if !slices.Contains([]string{"gold", "silver", "bronze"}, v(cSegment)) {
			fail(cSegment, "not gold/silver/bronze")
		}
		note := v(cNotes)
		flat := strings.NewReplacer(" ", "", "-", "").Replace(note)
		notesPII.add(strings.Contains(note, "@") || reMobileRun.MatchString(flat))
		multiline.add(strings.Contains(note, "\n"))
		if t.Failed() {
			t.FailNow()
		}
	}

	shares := []struct {
		what   string
		r      ratio
		lo, hi float64
	}{
		{"Western names", western, 17, 23},
		{"compound surnames", compound, 0.5, 4},
		{"resident ids ending in X", idX, 5, 13},
		{"internationalised e-mail addresses", idnEmail, 0.1, 2},
		{"numeric QQ addresses", qqNumeric, 5, 20},
		{"IPv6 sign-up addresses", ipv6, 5, 11},
		{"IBANs", iban, 1, 5},
		{"cards written in groups", spaced, 18, 32},
		{"business customers", business, 12, 18},
		{"notes with personal data", notesPII, 12, 19},
		{"multi-line notes", multiline, 2, 5},
	}
	for _, s := range shares {
		t.Logf("%s: %.2f%%", s.what, s.r.pct())
		if p := s.r.pct(); p < s.lo || p > s.hi {
			t.Errorf("%s: %.2f%% of %d, want %.1f..%.1f%%", s.what, p, s.r.of, s.lo, s.hi)
		}
	}
	for _, c := range sortedKeysInt(empty) {
		r := empty[c]
		t.Logf("column %s empty: %.2f%%", customerCols[c].key, r.pct())
		if p := r.pct(); p < 0.2 || p > 6 {
			t.Errorf("column %s empty in %.2f%% of rows, want 0.2..6%%", customerCols[c].key, p)
		}
	}
	if len(phoneForms) < 6 {
		t.Errorf("phone numbers written in %d forms (%v), want at least 6", len(phoneForms), sortedKeys(phoneForms))
	}
}

func TestOrderAndEnrollmentValues(t *testing.T) {
	const seed = 8
	sum := generate(t, Options{Rows: 5000, Seed: seed})
	l := newLayout(seed)
	ch, cust := readCSV(t, filepath.Join(sum.Dir, CustomersFile))
	card := slices.Index(ch, l.custHeader[cCard])
	last4 := map[string]string{}
	for _, c := range cust {
		if d := strings.ReplaceAll(c[card], " ", ""); d != "" {
			last4[c[0]] = d[len(d)-4:]
		}
	}

	h, rows := readCSV(t, filepath.Join(sum.Dir, OrdersFile))
	var matched, withCard, grouped ratio
	ids := map[string]bool{}
	for i, r := range rows {
		get := func(c int) string { return r[slices.Index(h, l.orderHeader[c])] }
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("orders row %d %q: "+format, append([]any{i + 1, r}, args...)...)
		}
		if id := get(oOrderID); ids[id] || !strings.HasPrefix(id, "SO") || len(id) != 16 {
			fail("bad or duplicate order id")
		}
		ids[get(oOrderID)] = true
		amt := get(oAmount)
		if !reGrouped.MatchString(amt) && !rePlain.MatchString(amt) {
			fail("bad amount")
		}
		grouped.add(strings.Contains(amt, ","))
		if !slices.Contains([]string{"CNY", "USD", "EUR"}, get(oCurrency)) {
			fail("bad currency")
		}
		created, err := time.Parse(time.RFC3339, get(oCreated))
		if err != nil || created.After(DefaultNow()) {
			fail("bad created_at: %v", err)
		}
		if !slices.Contains([]string{"paid", "shipped", "completed", "refunded", "cancelled"}, get(oStatus)) {
			fail("bad status")
		}
		if l4 := get(oLast4); l4 != "" {
			if _, err := strconv.Atoi(l4); err != nil || len(l4) != 4 {
				fail("bad card_last4")
			}
		}
		if want, ok := last4[get(oCustomerID)]; ok {
			withCard.add(true)
			matched.add(get(oLast4) == want)
		}
		if p := get(oProduct); p != "" && !reSKU.MatchString(p) {
			fail("bad product code")
		}
	}
	if p := matched.pct(); p < 75 || p > 92 {
		t.Errorf("card_last4 matches the customer's card in %.1f%% of orders, want about 85%%", p)
	}
	if p := grouped.pct(); p < 3 || p > 30 {
		t.Errorf("%.1f%% of amounts grouped, want some but not all", p)
	}

	h, rows = readCSV(t, filepath.Join(sum.Dir, EnrollmentsFile))
	for i, r := range rows {
		get := func(c int) string { return r[slices.Index(h, l.enrHeader[c])] }
		start, end := get(eStart), get(eEnd)
		if !reISODate.MatchString(start) || (end != "" && (!reISODate.MatchString(end) || end < start)) {
			t.Fatalf("enrollments row %d: dates %s..%s", i+1, start, end)
		}
		if !slices.Contains(courses, get(eCourse)) {
			t.Fatalf("enrollments row %d: course %q", i+1, get(eCourse))
		}
		if !slices.Contains([]string{"enrolled", "in_progress", "completed", "withdrawn"}, get(eStatus)) {
			t.Fatalf("enrollments row %d: status %q", i+1, get(eStatus))
		}
	}
}

func TestCivilDates(t *testing.T) {
	for d := -800_000; d < 800_000; d += 97 {
		tm := time.Unix(int64(d)*86400, 0).UTC()
		if got := daysFromCivil(tm.Year(), int(tm.Month()), tm.Day()); got != d {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format(time.DateOnly), got, d)
		}
		if y, m, dd := civilFromDays(d); y != tm.Year() || m != int(tm.Month()) || dd != tm.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", d, y, m, dd, tm.Format(time.DateOnly))
		}
	}
	if got := string(appendDateTime(nil, 1_700_000_000)); got != time.Unix(1_700_000_000, 0).UTC().Format(time.DateTime) {
		t.Errorf("appendDateTime = %s", got)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		cents   int64
		grouped bool
		want    string
	}{
		{0, true, "0.00"},
		{5, false, "0.05"},
		{99999, true, "999.99"},
		{100000, true, "1,000.00"},
		{1234560, true, "12,345.60"},
		{1234560, false, "12345.60"},
		{123456789012, true, "1,234,567,890.12"},
	}
	for _, tt := range tests {
		if got := string(appendMoney(nil, tt.cents, tt.grouped)); got != tt.want {
			t.Errorf("appendMoney(%d, %v) = %s, want %s", tt.cents, tt.grouped, got, tt.want)
		}
	}
	for _, tt := range []struct {
		v     uint64
		width int
		want  string
	}{{0, 1, "0"}, {0, 4, "0000"}, {7, 2, "07"}, {12345, 3, "12345"}, {18446744073709551615, 1, "18446744073709551615"}} {
		if got := string(appendPad(nil, tt.v, tt.width)); got != tt.want {
			t.Errorf("appendPad(%d, %d) = %s, want %s", tt.v, tt.width, got, tt.want)
		}
	}
	// Organization code of Tencent Technology (Shenzhen): 71526726-X.
	if c := gb11714Check([]byte("71526726")); c != 'X' {
		t.Errorf("gb11714Check(71526726) = %c, want X", c)
	}
	// Quoting follows RFC 4180.
	for in, want := range map[string]string{`a`: `a`, `a,b`: `"a,b"`, `say "hi"`: `"say ""hi"""`, "l1\nl2": "\"l1\nl2\"", " x": `" x"`, "": ""} {
		if got := string(appendField(nil, in)); got != want {
			t.Errorf("appendField(%q) = %q, want %q", in, got, want)
		}
	}
}

func sortedKeysInt[V any](m map[int]V) []int { return slices.Sorted(maps.Keys(m)) }
