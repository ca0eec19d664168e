package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// gen holds what all table writers share for one run.
type gen struct {
	seed   uint64
	rows   int
	l      *layout
	t      *tables
	nowDay int   // reference date as a day number
	nowSec int64 // reference instant as wall-clock seconds (China time)
	idMix  uint64
	// signup times spread over signupSpan seconds before nowSec-1 day.
	signupStart int64
	signupSpan  int64
}

// customerID returns the numeric part of customer i's id: increasing with i,
// with gaps (deleted customers), always 8 digits.
func (g *gen) customerID(i int) uint64 {
	return 10_000_000 + g.l.idOffset + 3*uint64(i) + mix(g.idMix+uint64(i))%3
}

func appendCustomerID(b []byte, id uint64) []byte {
	return appendPad(append(b, 'C'), id, 8)
}

// signupSec returns customer i's sign-up instant: customers are numbered in
// sign-up order, spread over the eight years before the reference date.
func (g *gen) signupSec(i int) int64 {
	step := g.signupSpan / int64(g.rows)
	jitter := int64(0)
	if step > 1 {
		jitter = int64(mix(g.idMix^uint64(i)^0xabcdef) % uint64(step))
	}
	return g.signupStart + g.signupSpan*int64(i)/int64(g.rows) + jitter
}

// cardGen derives customer i's payment card from its own stream, so that
// orders can print the same card's last four digits.
type cardGen struct {
	pcg  *rand.PCG
	r    *rand.Rand
	seed uint64
	t    *tables
}

func (g *gen) newCardGen() *cardGen {
	p := rand.NewPCG(0, 0)
	return &cardGen{pcg: p, r: rand.New(p), seed: mix(g.seed ^ mix(saltCards)), t: g.t}
}

func (cg *cardGen) card(i int, c *card) {
	cg.pcg.Seed(cg.seed, mix(uint64(i)))
	cg.t.newCard(cg.r, c)
}

// staffMember is one row of staff.csv.
type staffMember struct {
	id     string
	name   string
	email  string
	role   string
	region string
	active bool
	hire   int // day number
	leave  int // day number, or -1
}

// staffCount is max(20, rows/500) capped at 2000.
func staffCount(rows int) int { return min(max(20, rows/500), 2000) }

func (g *gen) makeStaff() []staffMember {
	r := stream(g.seed, saltStaff)
	n := staffCount(g.rows)
	staff := make([]staffMember, n)
	used := make(map[string]bool, n)
	var p person
	var buf []byte
	for i := range staff {
		s := &staff[i]
		s.id = "S" + string(appendPad(nil, uint64(i+1), 4))
		g.t.newPerson(r, &p, 100)
		s.name = string(p.name)
		// Corporate address: wei.zhang@, zhangwei@, or with a digit when taken.
		buf = buf[:0]
		if r.IntN(2) == 0 {
			buf = append(append(append(buf, p.given...), '.'), p.sur...)
		} else {
			buf = append(append(buf, p.sur...), p.given...)
		}
		base := len(buf)
		for k := 2; used[string(buf)]; k++ {
			buf = strconv.AppendInt(buf[:base], int64(k), 10)
		}
		used[string(buf)] = true
		s.email = string(buf) + "@" + g.l.staffDomain
		s.role = staffRoles[g.t.staffRole.pick(r)].s
		s.region = staffRegions[r.IntN(len(staffRegions))]
		s.hire = g.nowDay - 30 - r.IntN(15*365)
		s.active = r.IntN(100) >= 15
		s.leave = -1
		switch {
		case !s.active:
			s.leave = s.hire + 90 + r.IntN(max(1, g.nowDay-s.hire-90))
		case r.IntN(100) < 3: // left, but the account was never disabled
			s.leave = s.hire + 90 + r.IntN(max(1, g.nowDay-s.hire-90))
		}
		if s.leave > g.nowDay {
			s.leave = g.nowDay
		}
	}
	// Every customer needs an owner: keep at least two sales people in post.
	inPost := 0
	for i := range staff {
		if staff[i].role == "sales" && staff[i].leave < 0 {
			inPost++
		}
	}
	for i := 0; inPost < 2; i++ {
		s := &staff[(i*7+3)%n]
		if s.role == "sales" && s.leave < 0 {
			continue
		}
		s.role, s.active, s.leave = "sales", true, -1
		inPost++
	}
	return staff
}

// staffRows renders staff.csv's rows (the header not included).
func staffRows(rb *rowBuf, staff []staffMember) {
	var b []byte
	for i := range staff {
		s := &staff[i]
		rb.fieldString(s.id)
		rb.fieldString(s.name)
		rb.fieldString(s.email)
		rb.fieldString(s.role)
		rb.fieldString(s.region)
		if s.active {
			rb.fieldString("active")
		} else {
			rb.fieldString("disabled")
		}
		b = appendDate(b[:0], s.hire)
		rb.field(b)
		b = b[:0]
		if s.leave >= 0 {
			b = appendDate(b, s.leave)
		}
		rb.field(b)
		rb.end()
	}
}

// worker holds the scratch space for generating chunks of rows. Each chunk
// draws from its own stream (table salt, chunk index), so the output does not
// depend on how many workers there are.
type worker struct {
	g     *gen
	staff []staffMember
	sales []int // indexes of sales staff
	post  []int // indexes of sales staff who never left
	pcg   *rand.PCG
	r     *rand.Rand
	cg    *cardGen
	fld   [nCust][]byte
	p, nb person
	c     card
	phone []byte
	tmp   []byte
	// column values fixed by the layout
	male, female, indiv, biz string
}

func (g *gen) newWorker(staff []staffMember) *worker {
	p := rand.NewPCG(0, 0)
	w := &worker{g: g, staff: staff, pcg: p, r: rand.New(p), cg: g.newCardGen(),
		male: "男", female: "女", indiv: "individual", biz: "business"}
	if g.l.genderMF {
		w.male, w.female = "M", "F"
	}
	if g.l.typeCN {
		w.indiv, w.biz = "个人", "企业"
	}
	for i := range staff {
		if staff[i].role == "sales" {
			w.sales = append(w.sales, i)
			if staff[i].leave < 0 {
				w.post = append(w.post, i)
			}
		}
	}
	return w
}

// reseed points the worker's stream at chunk k of a table.
func (w *worker) reseed(salt uint64, k int) {
	w.pcg.Seed(mix(w.g.seed^mix(salt)), mix(uint64(k)^mix(salt<<32)))
}

// customers renders customer rows lo..hi-1 into cust and their owners into own.
func (w *worker) customers(lo, hi int, cust, own *rowBuf) {
	g, r, fld, p := w.g, w.r, &w.fld, &w.p
	for i := lo; i < hi; i++ {
		for k := range fld {
			fld[k] = fld[k][:0]
		}
		fld[cCustomerID] = appendCustomerID(fld[cCustomerID], g.customerID(i))

		g.t.newPerson(r, p, 200)
		fld[cName] = append(fld[cName], p.name...)
		if !chance(r, 10) {
			if p.male {
				fld[cGender] = append(fld[cGender], w.male...)
			} else {
				fld[cGender] = append(fld[cGender], w.female...)
			}
		}

		birth := g.nowDay - 18*365 - 30 - r.IntN(58*365)
		by, bm, bd := civilFromDays(birth)
		if !chance(r, 20) {
			fld[cBirth] = appendDate(fld[cBirth], birth)
			fld[cAge] = strconv.AppendInt(fld[cAge], int64(g.ageAt(by, bm, bd)), 10)
		}

		pl := g.t.newPlace(r)
		if !p.western && !chance(r, 30) {
			area := pl.dist.code
			if r.IntN(100) < 30 {
				area = pl.otherDistrict(r).code
			}
			fld[cIDCard] = appendResidentID(fld[cIDCard], r, area, birth, p.male)
		}

		w.phone = g.t.appendMobile(w.phone[:0], r)
		if !chance(r, 20) {
			fld[cPhone] = appendPhoneStyled(fld[cPhone], r, w.phone)
		}

		business := r.IntN(100) < 15
		var trade *tradeName
		if business {
			trade = &tradeNames[r.IntN(len(tradeNames))]
		}
		if !chance(r, 40) {
			if business && r.IntN(100) < 40 {
				fld[cEmail] = appendCorpEmail(fld[cEmail], r, p, trade)
			} else {
				fld[cEmail] = g.t.appendEmail(fld[cEmail], r, p, by)
			}
		}

		if !chance(r, 5) {
			fld[cProvince] = append(fld[cProvince], pl.prov.name...)
		}
		if !chance(r, 5) {
			fld[cCity] = append(fld[cCity], pl.city.name...)
		}
		if !chance(r, 30) {
			fld[cAddress] = appendAddress(fld[cAddress], r, pl)
		}
		if !chance(r, 40) {
			fld[cPostal] = append(fld[cPostal], pl.dist.postal...)
		}

		if business {
			fld[cType] = append(fld[cType], w.biz...)
			sole := r.IntN(100) < 10
			fld[cCompany] = appendCompanyName(fld[cCompany], r, pl, trade, sole)
			if !chance(r, 30) {
				area := pl.dist.code // sole traders register where they trade
				if !sole {
					area = pl.city.districts[r.IntN(len(pl.city.districts))].code
				}
				fld[cCredit] = appendSocialCreditCode(fld[cCredit], r, area, sole)
			}
		} else {
			fld[cType] = append(fld[cType], w.indiv...)
		}

		w.cg.card(i, &w.c)
		fld[cCard] = w.c.appendTo(fld[cCard])

		ibanPerMille := 10
		if p.western {
			ibanPerMille = 120
		}
		if chance(r, ibanPerMille) {
			fld[cIBAN] = appendIBAN(fld[cIBAN], r)
		}

		if !chance(r, 20) {
			fld[cIP] = appendIP(fld[cIP], r)
		}
		signup := g.signupSec(i)
		fld[cSignup] = appendDateTime(fld[cSignup], signup)
		signupDay := int(signup / 86400)

		if !chance(r, 30) { // order_no: 1 + yymmdd + 4 digits, phone-shaped
			y, m, d := civilFromDays(signupDay + r.IntN(g.nowDay-signupDay+1))
			b := append(fld[cOrderNo], '1')
			b = appendPad(b, uint64(y%100), 2)
			b = appendPad(b, uint64(m), 2)
			b = appendPad(b, uint64(d), 2)
			fld[cOrderNo] = appendRandDigits(b, r, 4)
		}
		fld[cProduct] = appendProductCode(fld[cProduct], r)

		ltv := g.t.ltv.draw(r)
		fld[cLTV] = appendMoney(fld[cLTV], ltv, true)
		if !chance(r, 30) {
			score := 350 + r.IntN(151) + r.IntN(151) + r.IntN(151) + r.IntN(151) // bell-shaped around 650
			fld[cScore] = strconv.AppendInt(fld[cScore], int64(score), 10)
		}
		seg := "bronze"
		switch {
		case r.IntN(100) < 5:
			seg = [3]string{"gold", "silver", "bronze"}[r.IntN(3)]
		case ltv >= 5_000_000:
			seg = "gold"
		case ltv >= 1_000_000:
			seg = "silver"
		}
		fld[cSegment] = append(fld[cSegment], seg...)

		fld[cNotes] = w.appendNote(fld[cNotes], fld[cEmail])

		for _, col := range g.l.custOrder {
			cust.field(fld[col])
		}
		cust.end()

		// Owner: a sales person in post at some time since sign-up.
		s := &w.staff[w.sales[r.IntN(len(w.sales))]]
		from, to := max(signupDay, s.hire), g.nowDay
		if s.leave >= 0 {
			to = s.leave
		}
		if from > to {
			s = &w.staff[w.post[r.IntN(len(w.post))]]
			from, to = max(signupDay, s.hire), g.nowDay
		}
		since := from
		if r.IntN(100) < 70 {
			since += r.IntN(min(to-from, 7) + 1)
		} else {
			since += r.IntN(to - from + 1)
		}
		own.field(fld[cCustomerID])
		own.fieldString(s.id)
		w.tmp = appendDate(w.tmp[:0], since)
		own.field(w.tmp)
		own.end()
	}
}

// ageAt returns the age in whole years at the reference date.
func (g *gen) ageAt(by, bm, bd int) int {
	ny, nm, nd := civilFromDays(g.nowDay)
	age := ny - by
	if nm < bm || (nm == bm && nd < bd) {
		age--
	}
	return age
}

func appendCorpEmail(b []byte, r *rand.Rand, p *person, t *tradeName) []byte {
	if r.IntN(2) == 0 {
		b = append(append(append(b, p.given...), '.'), p.sur...)
	} else {
		b = append(append(b, p.sur...), p.given...)
	}
	b = append(append(b, '@'), t.py...)
	return append(b, corpDomainSuffixes[r.IntN(len(corpDomainSuffixes))]...)
}

// appendCompanyName appends e.g. 深圳市华信科技有限公司, or for a sole trader
// 南山区恒达商行.
func appendCompanyName(b []byte, r *rand.Rand, pl place, t *tradeName, sole bool) []byte {
	if sole {
		b = append(b, pl.dist.name...)
		b = append(b, t.han...)
		return append(b, [4]string{"商行", "便利店", "餐馆", "经营部"}[r.IntN(4)]...)
	}
	name := pl.city.name
	if r.IntN(2) == 0 {
		name = name[:len(name)-len("市")]
	}
	b = append(b, name...)
	b = append(b, t.han...)
	b = append(b, industries[r.IntN(len(industries))]...)
	switch x := r.IntN(10); {
	case x < 7:
		b = append(b, "有限公司"...)
	case x < 8:
		b = append(b, "股份有限公司"...)
	default:
		b = append(b, "有限责任公司"...)
	}
	return b
}

// appendNote appends the notes cell: 30% empty, 15% carrying a phone number,
// e-mail address or name, 3% spanning lines, the rest harmless.
func (w *worker) appendNote(b, email []byte) []byte {
	g, r, nb := w.g, w.r, &w.nb
	x := r.IntN(1000)
	switch {
	case x < 300:
		return b
	case x < 330:
		return append(b, notesMultiline[r.IntN(len(notesMultiline))]...)
	case x >= 480:
		return append(b, notesHarmless[r.IntN(len(notesHarmless))]...)
	}
	tpl := notesPII[r.IntN(len(notesPII))]
	other := false // nb holds the third person a note names
	if strings.Contains(tpl, "%N") {
		g.t.newPerson(r, nb, 100)
		other = true
	}
	for i := 0; i < len(tpl); i++ {
		if tpl[i] != '%' || i+1 == len(tpl) {
			b = append(b, tpl[i])
			continue
		}
		i++
		switch tpl[i] {
		case 'P':
			d := w.phone
			if other || r.IntN(2) == 0 {
				w.tmp = g.t.appendMobile(w.tmp[:0], r)
				d = w.tmp
			}
			if r.IntN(100) < 70 {
				b = append(b, d...)
			} else {
				b = appendPhoneStyled(b, r, d)
			}
		case 'E':
			if !other && len(email) > 0 && r.IntN(2) == 0 {
				b = append(b, email...)
			} else {
				if !other {
					g.t.newPerson(r, nb, 100)
				}
				b = g.t.appendEmail(b, r, nb, 1960+r.IntN(45))
			}
		case 'N':
			b = append(b, nb.name...)
		default:
			b = append(b, '%', tpl[i])
		}
	}
	return b
}

// orders renders orders lo..hi-1: about two per customer, older customers
// ordering more.
func (w *worker) orders(lo, hi int, rb *rowBuf) {
	g, r := w.g, w.r
	b := w.tmp[:0]
	for j := lo; j < hi; j++ {
		k := r.IntN(g.rows)
		if r.IntN(2) == 0 { // older customers order more
			k = min(k, r.IntN(g.rows))
		}
		signup := g.signupSec(k)
		created := signup + r.Int64N(max(1, g.nowSec-signup))
		day := int(created / 86400)

		y, m, d := civilFromDays(day)
		b = append(b[:0], "SO"...)
		b = appendPad(b, uint64(y%100), 2)
		b = appendPad(b, uint64(m), 2)
		b = appendPad(b, uint64(d), 2)
		b = appendPad(b, uint64(j+1), 8)
		rb.field(b)

		b = appendCustomerID(b[:0], g.customerID(k))
		rb.field(b)

		cents := g.t.orderAmount.draw(r)
		cur := "CNY"
		switch x := r.IntN(100); {
		case x < 10:
			cur, cents = "USD", max(cents/7, 100)
		case x < 15:
			cur, cents = "EUR", max(cents/8, 100)
		}
		b = appendMoney(b[:0], cents, r.IntN(100) < 40)
		rb.field(b)
		rb.fieldString(cur)
		b = appendRFC3339(b[:0], created)
		rb.field(b)

		age := g.nowDay - day
		st := "completed"
		switch x := r.IntN(100); {
		case age < 3 && x < 60:
			st = "paid"
		case age < 3:
			st = "shipped"
		case x < 8:
			st = "refunded"
		case x < 15:
			st = "cancelled"
		}
		rb.fieldString(st)

		w.cg.card(k, &w.c)
		b = b[:0]
		switch x := r.IntN(100); {
		case w.c.present && x < 85:
			b = append(b, w.c.last4()...)
		case x < 95:
			b = appendRandDigits(b, r, 4)
		}
		rb.field(b)

		b = b[:0]
		if !chance(r, 10) {
			b = appendProductCode(b, r)
		}
		rb.field(b)
		rb.end()
	}
	w.tmp = b
}

// enrollments renders enrollments lo..hi-1 (about one per two customers).
func (w *worker) enrollments(lo, hi int, rb *rowBuf) {
	g, r := w.g, w.r
	b := w.tmp[:0]
	for j := lo; j < hi; j++ {
		k := r.IntN(g.rows)
		b = append(b[:0], "EN"...)
		b = appendPad(b, uint64(j+1), 8)
		rb.field(b)
		b = appendCustomerID(b[:0], g.customerID(k))
		rb.field(b)
		rb.fieldString(courses[r.IntN(len(courses))])

		signupDay := int(g.signupSec(k) / 86400)
		start := signupDay + r.IntN(g.nowDay+30-signupDay)
		end := start + 30 + r.IntN(150)
		b = appendDate(b[:0], start)
		rb.field(b)
		b = b[:0]
		open := chance(r, 20)
		if !open {
			b = appendDate(b, end)
		}
		rb.field(b)
		st := "in_progress"
		switch x := r.IntN(100); {
		case start > g.nowDay:
			st = "enrolled"
		case x < 12:
			st = "withdrawn"
		case end < g.nowDay && !open:
			st = "completed"
		}
		rb.fieldString(st)
		rb.end()
	}
	w.tmp = b
}
