package demo

import (
	"math/rand/v2"
	"net/netip"

	"github.com/vigil-dg/vigil/rules"
)

// person is one generated individual's name and its romanisation pieces.
type person struct {
	western bool
	male    bool
	name    []byte // as written in the name column
	sur     string // Chinese: surname pinyin; Western: last name ASCII form
	given   []byte // Chinese: given-name pinyin; Western: first name ASCII form
	init    []byte // Chinese: initials of the given-name characters; Western: first initial
}

// tables holds the pickers built once per run from the static tables.
type tables struct {
	surname     picker
	province    picker
	mobile      picker
	domainCN    picker
	domainW     picker
	cardBIN     picker
	staffRole   picker
	ltv         bands
	orderAmount bands
}

func newTables() *tables {
	ww := func(x weighted) int { return x.w }
	return &tables{
		surname:     newPicker(weightsOf(surnames, func(s surname) int { return s.w })),
		province:    newPicker(weightsOf(provinces, func(p province) int { return p.w })),
		mobile:      newPicker(weightsOf(mobilePrefixes, ww)),
		domainCN:    newPicker(weightsOf(emailDomainsCN, ww)),
		domainW:     newPicker(weightsOf(emailDomainsWestern, ww)),
		cardBIN:     newPicker(weightsOf(cardBINs, func(b bin) int { return b.w })),
		staffRole:   newPicker(weightsOf(staffRoles, ww)),
		ltv:         newBands(ltvBands),
		orderAmount: newBands(orderBands),
	}
}

// newPerson fills p with a fresh person; westernPerMille is the share of
// Western names.
func (t *tables) newPerson(r *rand.Rand, p *person, westernPerMille int) {
	p.western = chance(r, westernPerMille)
	p.male = r.IntN(100) < 51
	p.name, p.given, p.init = p.name[:0], p.given[:0], p.init[:0]
	if p.western {
		first := westernFemale
		if p.male {
			first = westernMale
		}
		f := first[r.IntN(len(first))]
		l := westernLast[r.IntN(len(westernLast))]
		p.name = append(append(append(p.name, f.name...), ' '), l.name...)
		p.sur = l.ascii
		p.given = append(p.given, f.ascii...)
		p.init = append(p.init, f.ascii[0])
		return
	}
	s := surnames[t.surname.pick(r)]
	chars := givenFemale
	if p.male {
		chars = givenMale
	}
	p.name = append(p.name, s.han...)
	p.sur = s.py
	n := 2
	if r.IntN(100) < 25 {
		n = 1
	}
	for range n {
		g := chars[r.IntN(len(chars))]
		p.name = append(p.name, g.han...)
		p.given = append(p.given, g.py...)
		p.init = append(p.init, g.py[0])
	}
}

// appendMobile appends a random mainland mobile number (11 digits).
func (t *tables) appendMobile(b []byte, r *rand.Rand) []byte {
	b = append(b, mobilePrefixes[t.mobile.pick(r)].s...)
	return appendRandDigits(b, r, 8)
}

// appendPhoneStyled appends an 11-digit mobile number in one of the written
// forms seen in real exports.
func appendPhoneStyled(b []byte, r *rand.Rand, d []byte) []byte {
	switch x := r.IntN(100); {
	case x < 55: // 13812345678
		return append(b, d...)
	case x < 65: // +86 138 1234 5678
		b = append(b, "+86 "...)
		return appendGrouped344(b, d, ' ')
	case x < 77: // 138-1234-5678
		return appendGrouped344(b, d, '-')
	case x < 85: // +8613812345678
		return append(append(b, "+86"...), d...)
	case x < 90: // 0086 13812345678 or 008613812345678
		b = append(b, "0086"...)
		if r.IntN(2) == 0 {
			b = append(b, ' ')
		}
		return append(b, d...)
	default: // 138 1234 5678
		return appendGrouped344(b, d, ' ')
	}
}

func appendGrouped344(b, d []byte, sep byte) []byte {
	b = append(b, d[:3]...)
	b = append(b, sep)
	b = append(b, d[3:7]...)
	b = append(b, sep)
	return append(b, d[7:]...)
}

// appendEmail appends an e-mail address for p. birthYear feeds local parts
// such as zhangwei1988.
func (t *tables) appendEmail(b []byte, r *rand.Rand, p *person, birthYear int) []byte {
	if p.western {
		switch r.IntN(6) {
		case 0:
			b = append(append(append(b, p.given...), '.'), p.sur...)
		case 1:
			b = append(append(b, p.given...), p.sur...)
		case 2:
			b = append(append(b, p.init...), p.sur...)
		case 3:
			b = append(append(append(b, p.given...), '_'), p.sur...)
		case 4:
			b = append(append(append(b, p.given...), '.'), p.sur...)
			b = appendPad(b, uint64(birthYear%100), 2)
		default:
			b = append(append(b, p.given...), p.sur[0])
			b = appendRandDigits(b, r, 2+r.IntN(3))
		}
		b = append(b, '@')
		return append(b, emailDomainsWestern[t.domainW.pick(r)].s...)
	}
	if chance(r, 6) { // internationalised address: 张伟@例子.中国
		b = append(append(b, p.name...), '@')
		return append(b, idnDomains[r.IntN(len(idnDomains))]...)
	}
	dom := emailDomainsCN[t.domainCN.pick(r)].s
	if dom == "qq.com" && r.IntN(100) < 45 { // numeric QQ number
		b = append(b, byte('1'+r.IntN(9)))
		b = appendRandDigits(b, r, 6+r.IntN(4))
		return append(append(b, '@'), dom...)
	}
	switch r.IntN(8) {
	case 0:
		b = append(append(b, p.sur...), p.given...)
	case 1:
		b = append(append(b, p.sur...), p.given...)
		b = appendPad(b, uint64(birthYear), 4)
	case 2:
		b = append(append(b, p.sur...), p.given...)
		b = appendPad(b, uint64(birthYear%100), 2)
	case 3:
		b = append(append(append(b, p.given...), '.'), p.sur...)
	case 4:
		b = append(append(append(b, p.sur...), '_'), p.given...)
	case 5:
		b = append(append(b, p.sur[0]), p.init...)
		b = appendRandDigits(b, r, 3+r.IntN(2))
	case 6:
		b = append(append(b, p.sur...), p.init...)
	default:
		b = append(append(b, p.given...), p.sur...)
		b = appendRandDigits(b, r, 3)
	}
	return append(append(b, '@'), dom...)
}

// place is a generated location.
type place struct {
	prov *province
	city *city
	dist *district
}

func (t *tables) newPlace(r *rand.Rand) place {
	p := &provinces[t.province.pick(r)]
	c := &p.cities[r.IntN(len(p.cities))]
	return place{prov: p, city: c, dist: &c.districts[r.IntN(len(c.districts))]}
}

// otherDistrict returns a district of the same province (for resident IDs
// issued elsewhere in the province than the current address).
func (pl place) otherDistrict(r *rand.Rand) *district {
	c := &pl.prov.cities[r.IntN(len(pl.prov.cities))]
	return &c.districts[r.IntN(len(c.districts))]
}

// appendAddress appends a street address such as
// 北京市朝阳区建国路88号3单元502室.
func appendAddress(b []byte, r *rand.Rand, pl place) []byte {
	if !pl.prov.municipality && r.IntN(100) < 60 {
		b = append(b, pl.prov.name...)
	}
	b = append(b, pl.city.name...)
	b = append(b, pl.dist.name...)
	b = append(b, roadNames[r.IntN(len(roadNames))]...)
	b = append(b, roadSuffixes[r.IntN(len(roadSuffixes))]...)
	num := 1 + r.IntN(300)
	if r.IntN(10) == 0 {
		num = 1 + r.IntN(999)
	}
	b = appendPad(b, uint64(num), 1)
	b = append(b, "号"...)
	floor := 1 + r.IntN(33)
	room := uint64(floor*100 + 1 + r.IntN(4))
	switch x := r.IntN(100); {
	case x < 30:
		b = appendPad(b, uint64(1+r.IntN(30)), 1)
		b = append(b, "栋"...)
		b = appendPad(b, uint64(1+r.IntN(6)), 1)
		b = append(b, "单元"...)
		b = appendPad(b, room, 1)
		b = append(b, "室"...)
	case x < 50:
		b = appendPad(b, uint64(1+r.IntN(20)), 1)
		b = append(b, "号楼"...)
		b = appendPad(b, room, 1)
		b = append(b, "室"...)
	case x < 70:
		b = append(b, compounds[r.IntN(len(compounds))]...)
		b = appendPad(b, uint64(1+r.IntN(30)), 1)
		b = append(b, "栋"...)
		b = appendPad(b, room, 1)
		if r.IntN(2) == 0 {
			b = append(b, "室"...)
		}
	case x < 85:
		b = append(b, tradeNames[r.IntN(len(tradeNames))].han...)
		b = append(b, "大厦"...)
		b = appendPad(b, uint64(floor), 1)
		b = append(b, "层"...)
		b = appendPad(b, room, 1)
		b = append(b, "室"...)
	}
	return b
}

// appendResidentID appends a GB 11643 resident identity number for someone
// born on birthDay, registered in area, of the given sex.
func appendResidentID(b []byte, r *rand.Rand, area string, birthDay int, male bool) []byte {
	var body [17]byte
	copy(body[:6], area)
	y, m, d := civilFromDays(birthDay)
	tmp := appendPad(body[6:6], uint64(y), 4)
	tmp = appendPad(tmp, uint64(m), 2)
	tmp = appendPad(tmp, uint64(d), 2)
	tmp = appendPad(tmp, uint64(r.IntN(100)), 2)
	sex := 2 * r.IntN(5) // even: female
	if male {
		sex++
	}
	_ = append(tmp, byte('0'+sex))
	check, _ := rules.GB11643CheckChar(string(body[:]))
	b = append(b, body[:]...)
	return append(b, check)
}

// gb11714Check returns the check character of an organization code
// (GB 11714) for its 8-character body.
func gb11714Check(body []byte) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body[:8] {
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// appendSocialCreditCode appends a GB 32100 unified social credit code of an
// entity registered with the market regulator in area; soleTrader selects
// category 2 (个体工商户) instead of 1 (企业).
func appendSocialCreditCode(b []byte, r *rand.Rand, area string, soleTrader bool) []byte {
	var body [17]byte
	body[0] = '9'
	body[1] = '1'
	if soleTrader {
		body[1] = '2'
	}
	copy(body[2:8], area)
	org := body[8:17]
	if r.IntN(2) == 0 { // newer codes: MA + 6 alphanumerics
		org[0], org[1] = 'M', 'A'
		for i := 2; i < 8; i++ {
			org[i] = rules.GB32100Alphabet[r.IntN(len(rules.GB32100Alphabet))]
		}
	} else {
		appendRandDigits(org[:0], r, 8)
	}
	org[8] = gb11714Check(org)
	check, _ := rules.GB32100CheckChar(string(body[:]))
	b = append(b, body[:]...)
	return append(b, check)
}

// card is a generated payment card.
type card struct {
	present bool
	spaced  bool
	n       int
	digits  [19]byte
}

func (t *tables) newCard(r *rand.Rand, c *card) {
	c.present = r.IntN(100) >= 5
	bn := cardBINs[t.cardBIN.pick(r)]
	c.n = bn.length
	copy(c.digits[:], bn.prefix)
	appendRandDigits(c.digits[len(bn.prefix):len(bn.prefix)], r, c.n-1-len(bn.prefix))
	c.digits[c.n-1], _ = rules.LuhnCheckDigit(string(c.digits[:c.n-1]))
	c.spaced = r.IntN(100) < 25
}

func (c *card) appendTo(b []byte) []byte {
	if !c.present {
		return b
	}
	if !c.spaced {
		return append(b, c.digits[:c.n]...)
	}
	for i := 0; i < c.n; i += 4 {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, c.digits[i:min(i+4, c.n)]...)
	}
	return b
}

func (c *card) last4() []byte { return c.digits[c.n-4 : c.n] }

// appendIBAN appends a valid German, British or French IBAN, compact or in
// groups of four.
func appendIBAN(b []byte, r *rand.Rand) []byte {
	var bban []byte
	var cc string
	switch r.IntN(3) {
	case 0:
		cc = "DE"
		bban = append(bban, deBanks[r.IntN(len(deBanks))]...)
		bban = appendRandDigits(bban, r, 10)
	case 1:
		cc = "GB"
		bban = append(bban, gbBanks[r.IntN(len(gbBanks))]...)
		bban = appendRandDigits(bban, r, 14)
	default:
		cc = "FR"
		bank := frBanks[r.IntN(len(frBanks))]
		bban = append(bban, bank...)
		bban = appendRandDigits(bban, r, 16) // guichet (5) + account (11)
		bban = appendPad(bban, uint64(ribKey(bban)), 2)
	}
	cd, _ := rules.IBANCheckDigits(cc, string(bban))
	full := make([]byte, 0, 34)
	full = append(append(append(full, cc...), cd...), bban...)
	if r.IntN(100) < 70 {
		return append(b, full...)
	}
	for i := 0; i < len(full); i += 4 {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, full[i:min(i+4, len(full))]...)
	}
	return b
}

// ribKey is the French RIB key of an all-digit bank(5)+branch(5)+account(11).
func ribKey(d []byte) int {
	num := func(s []byte) int {
		v := 0
		for _, c := range s {
			v = v*10 + int(c-'0')
		}
		return v
	}
	bank, branch := num(d[:5]), num(d[5:10])
	acc := (num(d[10:16])%97*100000 + num(d[16:21])) % 97
	return 97 - (89*bank+15*branch+3*acc)%97
}

// appendIP appends a sign-up address: IPv4 from Chinese access networks, or
// (8%) IPv6 from Chinese carriers.
func appendIP(b []byte, r *rand.Rand) []byte {
	if r.IntN(100) < 8 {
		var a [16]byte
		p := ipv6Prefixes[r.IntN(len(ipv6Prefixes))]
		a[0], a[1] = byte(p>>8), byte(p)
		x, y := r.Uint64(), r.Uint64()
		for i := 2; i < 8; i++ {
			a[i] = byte(x >> (8 * i))
		}
		if r.IntN(3) == 0 { // SLAAC-less addresses often end in a small host part
			a[15] = byte(1 + r.IntN(254))
		} else {
			for i := 8; i < 16; i++ {
				a[i] = byte(y >> (8 * (i - 8)))
			}
		}
		return netip.AddrFrom16(a).AppendTo(b)
	}
	b = appendPad(b, uint64(ipv4FirstOctets[r.IntN(len(ipv4FirstOctets))]), 1)
	b = append(b, '.')
	b = appendPad(b, uint64(r.IntN(256)), 1)
	b = append(b, '.')
	b = appendPad(b, uint64(r.IntN(256)), 1)
	b = append(b, '.')
	return appendPad(b, uint64(1+r.IntN(254)), 1)
}

// appendProductCode appends a code like SKU-8842-ZX.
func appendProductCode(b []byte, r *rand.Rand) []byte {
	b = append(b, "SKU-"...)
	b = appendPad(b, uint64(1000+r.IntN(9000)), 4)
	return append(b, '-', byte('A'+r.IntN(26)), byte('A'+r.IntN(26)))
}
