package accesslogs

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
)

// person is a staff member with the habits the generator gives them.
type person struct {
	StaffMember
	idx       int
	userID    string
	home      *city
	travel    *city        // city visited every travelDay, nil when the person does not travel
	travelDay time.Weekday // weekday of the weekly visit
	desk      agent
	phone     agent
	mobile    bool // also uses the mobile app at lunch
	natHost   int  // office NAT address
	owned     []string
}

type gen struct {
	opts      Options
	loc       *time.Location
	start     time.Time // midnight of day 0 in loc
	days      int
	people    []*person
	customers []string
	ownerOf   map[string]string
	scale     float64
	perDay    float64 // expected routine events per day at scale 1
	plan      *plan
}

// salts separate the random streams.
const (
	saltPeople uint64 = 0x70656f706c65 + iota
	saltPlan
	saltDay
	saltIDs
)

func newGen(opts Options, staff []StaffMember, owners []Owner, loc *time.Location) *gen {
	g := &gen{opts: opts, loc: loc, days: opts.Days, ownerOf: map[string]string{}}
	sort.Slice(staff, func(i, j int) bool { return staff[i].ID < staff[j].ID })
	owned := map[string][]string{}
	for _, o := range owners {
		if _, dup := g.ownerOf[o.CustomerID]; dup {
			continue
		}
		g.ownerOf[o.CustomerID] = o.StaffID
		owned[o.StaffID] = append(owned[o.StaffID], o.CustomerID)
		g.customers = append(g.customers, o.CustomerID)
	}
	sort.Strings(g.customers)
	r := rand.New(rand.NewPCG(uint64(opts.Seed), saltPeople))
	var latest time.Time
	seen := map[string]bool{}
	for _, s := range staff {
		if seen[s.Email] {
			continue
		}
		seen[s.Email] = true
		reg := regions[regionOf(s.Region)]
		sum := sha256.Sum256([]byte("sf-user:" + s.ID))
		p := &person{
			StaffMember: s,
			idx:         len(g.people),
			userID:      "005" + hex.EncodeToString(sum[:6])[:12] + "AAA",
			home:        reg.home,
			desk:        desktopAgents[r.IntN(len(desktopAgents))],
			phone:       mobileAgents[r.IntN(len(mobileAgents))],
			mobile:      s.Role != "admin" && r.IntN(100) < 40,
			natHost:     10 + r.IntN(4),
			owned:       owned[s.ID],
		}
		sort.Strings(p.owned)
		if s.Role == "sales" && len(reg.travel) > 0 && r.IntN(100) < 35 {
			p.travel = reg.travel[r.IntN(len(reg.travel))]
			p.travelDay = time.Weekday(2 + r.IntN(3)) // Tuesday to Thursday
		}
		g.people = append(g.people, p)
		for _, t := range []time.Time{s.Hire, s.Leave} {
			if t.After(latest) {
				latest = t
			}
		}
	}
	var y int
	var m time.Month
	var dd int
	if !opts.Start.IsZero() {
		y, m, dd = opts.Start.In(loc).Date()
	} else {
		if latest.IsZero() {
			latest = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
		}
		y, m, dd = latest.AddDate(0, 0, 1-g.days).Date()
	}
	g.start = time.Date(y, m, dd, 0, 0, 0, 0, loc)
	g.scale = 1
	g.perDay = g.expectedPerDay()
	return g
}

// calibrate sets the scale of routine activity so that the days average
// about EventsPerDay events. Only part of the activity scales (logins do
// not), so it counts the events of the period at two small scales (without
// writing them) and interpolates.
func (g *gen) calibrate() {
	target := float64(g.opts.EventsPerDay)
	if target <= 0 {
		return
	}
	count := func(scale float64) float64 {
		g.scale = scale
		var n int
		for d := 0; d < g.days; d++ {
			n += len(g.day(d))
		}
		return float64(n) / float64(g.days)
	}
	const lo, hi = 0.05, 1.0
	nLo, nHi := count(lo), count(hi)
	switch {
	case nHi <= nLo:
		g.scale = 1
	default:
		g.scale = math.Max(lo, lo+(target-nLo)*(hi-lo)/(nHi-nLo))
	}
}

// date returns the calendar date of day d (midnight UTC) for comparison
// with hire and leave dates.
func (g *gen) date(d int) time.Time {
	y, m, dd := g.start.AddDate(0, 0, d).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// at returns day d at local hh:mm:ss plus extra.
func (g *gen) at(d, hh, mm int, extra time.Duration) time.Time {
	y, m, dd := g.start.AddDate(0, 0, d).Date()
	return time.Date(y, m, dd, hh, mm, 0, 0, g.loc).Add(extra)
}

// employed reports whether p may use the CRM on day d.
func (g *gen) employed(p *person, d int) bool {
	day := g.date(d)
	if !p.Hire.IsZero() && day.Before(p.Hire) {
		return false
	}
	if !p.Leave.IsZero() && day.After(p.Leave) {
		return false
	}
	return !(p.Status == "disabled" && p.Leave.IsZero())
}

// steady reports whether p works for the whole period.
func (g *gen) steady(p *person) bool {
	return g.employed(p, 0) && g.employed(p, g.days-1)
}

// role volumes: mean events of one workday, used to scale EventsPerDay.
var roleMean = map[string]float64{"sales": 55, "support": 75, "manager": 30, "admin": 18, "analyst": 22, "marketing": 22}

func (g *gen) expectedPerDay() float64 {
	var sum float64
	for _, p := range g.people {
		if g.employed(p, g.days/2) {
			sum += roleMean[p.Role] * 0.62 // weekdays, presence and unscaled events
		}
	}
	return sum
}

// n scales a count of routine activity.
func (g *gen) n(r *rand.Rand, lo, hi int) int {
	base := lo + r.IntN(hi-lo+1)
	v := float64(base) * g.scale
	n := int(v)
	if r.Float64() < v-float64(n) {
		n++
	}
	return n
}

// kinds of records.
type kind uint8

const (
	kLogin kind = iota
	kLoginFail
	kLogout
	kURI
	kReport
	kListView
	kSetup
)

// event is one Salesforce record. Session-wide fields live in s; the
// EventIdentifier is drawn when the record is written, in file order.
type event struct {
	t                int64 // Unix nanoseconds
	s                *session
	kind             kind
	status           string // LoginEvent Status
	op               string // Operation, or SetupAuditTrail Action
	entity           string // QueriedEntities
	record           string // RecordId, ReportId or ListViewId
	rows             int32
	section, display string
}

func (e *event) time() time.Time { return time.Unix(0, e.t) }

// session is an open CRM session that activity is added to; login failures
// and setup changes use one without a key.
type session struct {
	p        *person
	user     string
	userID   string
	c        *city
	ip       string
	ag       agent
	key      string
	loginKey string
	level    string
}

// day is one generated day: events and a random stream.
type day struct {
	g   *gen
	d   int
	r   *rand.Rand
	out []event
}

func randID(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (dy *day) add(e event) {
	dy.out = append(dy.out, e)
}

func officeIP(c *city, host int) string { return c.Office + strconv.Itoa(host) }

func mobileIP(r *rand.Rand, c *city) string {
	return c.Mobile + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254))
}

// login adds failures (typos) and a successful login, and returns the session.
func (dy *day) login(p *person, t time.Time, c *city, ip string, ag agent, mfa bool, typos int) *session {
	level := "STANDARD"
	if mfa {
		level = "HIGH_ASSURANCE"
	}
	for i := typos; i > 0; i-- {
		dy.fail(p, t.Add(-time.Duration(i*(15+dy.r.IntN(30)))*time.Second), c, ip, ag)
	}
	s := &session{p: p, user: p.Email, userID: p.userID, c: c, ip: ip, ag: ag, key: randID(dy.r, 16), loginKey: randID(dy.r, 16), level: level}
	dy.add(event{t: t.UnixNano(), s: s, kind: kLogin, status: "Success"})
	return s
}

// fail adds one failed login.
func (dy *day) fail(p *person, t time.Time, c *city, ip string, ag agent) {
	f := &session{p: p, user: p.Email, userID: p.userID, c: c, ip: ip, ag: ag, loginKey: randID(dy.r, 16)}
	dy.add(event{t: t.UnixNano(), s: f, kind: kLoginFail, status: "Invalid Password"})
}

func (dy *day) logout(s *session, t time.Time) {
	dy.add(event{t: t.UnixNano(), s: s, kind: kLogout})
}

func (dy *day) uri(s *session, t time.Time, op, entity, record string) {
	dy.add(event{t: t.UnixNano(), s: s, kind: kURI, op: op, entity: entity, record: record})
}

func (dy *day) report(s *session, t time.Time, export bool, entity string, rows int) {
	op := "ReportRunFromLightning"
	if export {
		op = "ReportExported"
	}
	dy.add(event{t: t.UnixNano(), s: s, kind: kReport, op: op, entity: entity, record: "00O5g00000" + randID(dy.r, 5), rows: int32(rows)})
}

func (dy *day) listView(s *session, t time.Time, entity string, rows int) {
	dy.add(event{t: t.UnixNano(), s: s, kind: kListView, op: "ListView", entity: entity, record: "00B5g00000" + randID(dy.r, 5), rows: int32(rows)})
}

func (dy *day) setup(actor *person, t time.Time, action, section, display string) {
	s := &session{p: actor, user: actor.Email, userID: actor.userID}
	dy.add(event{t: t.UnixNano(), s: s, kind: kSetup, op: action, section: section, display: display})
}

// between returns a time uniformly in [a, b).
func (dy *day) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(dy.r.Int64N(int64(b.Sub(a)))))
}

// customer picks a record a person works on: own customers for sales,
// any customer for the others.
func (dy *day) customer(p *person) (entity, id string) {
	g := dy.g
	switch {
	case p.Role == "sales" && len(p.owned) > 0:
		return "Account", p.owned[dy.r.IntN(len(p.owned))]
	case p.Role == "sales" || len(g.customers) == 0:
		return "Lead", "00Q5g00000" + randID(dy.r, 5)
	}
	return "Account", g.customers[dy.r.IntN(len(g.customers))]
}

// foreignCustomer picks a customer owned by someone else.
func (dy *day) foreignCustomer(p *person) (string, bool) {
	g := dy.g
	for range 20 {
		if len(g.customers) == 0 {
			break
		}
		c := g.customers[dy.r.IntN(len(g.customers))]
		if g.ownerOf[c] != p.ID {
			return c, true
		}
	}
	return "", false
}

// day generates all events of day d, sorted by time.
func (g *gen) day(d int) []event {
	dy := &day{g: g, d: d, r: rand.New(rand.NewPCG(uint64(g.opts.Seed)^uint64(d)*0x9e3779b97f4a7c15, saltDay))}
	dy.out = make([]event, 0, len(g.plan.extra[d])+int(g.perDay*g.scale*1.5)+64)
	weekday := g.start.AddDate(0, 0, d).Weekday()
	for _, p := range g.people {
		if !g.employed(p, d) || g.plan.blocked[blockKey{p.idx, d}] {
			continue
		}
		dy.workday(p, weekday)
	}
	dy.onCall(weekday)
	dy.out = append(dy.out, g.plan.extra[d]...)
	sort.SliceStable(dy.out, func(i, j int) bool { return dy.out[i].t < dy.out[j].t })
	return dy.out
}

// workday is a person's routine for one day.
func (dy *day) workday(p *person, wd time.Weekday) {
	r, g, d := dy.r, dy.g, dy.d
	weekend := wd == time.Saturday || wd == time.Sunday
	travelling := p.travel != nil && wd == p.travelDay
	switch {
	case travelling:
		// never skip the weekly visit: the city must stay in the baseline
	case weekend:
		chance := 6
		if p.Role == "sales" || p.Role == "support" {
			chance = 10
		}
		if r.IntN(100) >= chance {
			return
		}
	case r.IntN(100) < 5:
		return // leave or sick day
	}
	c, ip := p.home, officeIP(p.home, p.natHost)
	if travelling {
		c, ip = p.travel, mobileIP(r, p.travel)
	}
	var start, end time.Time
	if weekend {
		start = g.at(d, 10+r.IntN(4), r.IntN(60), 0)
		end = start.Add(time.Duration(60+r.IntN(120)) * time.Minute)
	} else {
		start = g.at(d, 8, 15, time.Duration(r.IntN(90))*time.Minute)
		end = g.at(d, 17, 30, time.Duration(r.IntN(120))*time.Minute)
	}
	typos := 0
	if r.IntN(100) < 5 {
		typos = 1 + r.IntN(3)
	}
	mfa := p.Role == "admin" || r.IntN(100) < 70
	s := dy.login(p, start, c, ip, p.desk, mfa, typos)
	dy.activity(s, start.Add(2*time.Minute), end.Add(-2*time.Minute), weekend)
	if r.IntN(100) < 85 {
		dy.logout(s, end)
	}
	if p.mobile && !weekend && r.IntN(100) < 60 {
		t := g.at(d, 12, 0, time.Duration(r.IntN(90))*time.Minute)
		m := dy.login(p, t, c, mobileIP(r, c), p.phone, mfa, 0)
		for i := range 2 + r.IntN(4) {
			e, id := dy.customer(p)
			dy.uri(m, t.Add(time.Duration(1+i)*time.Minute), "Read", e, id)
		}
	}
	if !weekend && (p.Role == "manager" || p.Role == "analyst") && r.IntN(100) < 10 {
		t := g.at(d, 20, 0, time.Duration(r.IntN(40))*time.Minute)
		late := dy.login(p, t, p.home, mobileIP(r, p.home), p.desk, mfa, 0)
		dy.report(late, t.Add(3*time.Minute), false, "Opportunity", 50+r.IntN(300))
		if r.IntN(2) == 0 {
			dy.report(late, t.Add(6*time.Minute), true, "Opportunity", 50+r.IntN(350))
		}
		dy.logout(late, t.Add(12*time.Minute))
	}
}

// activity fills a session with the person's routine work.
func (dy *day) activity(s *session, from, to time.Time, weekend bool) {
	r, p := dy.r, s.p
	views, updates, searches, reports, exports := 0, 0, 0, 0, 0
	switch p.Role {
	case "sales":
		views, updates, searches, reports = dy.g.n(r, 25, 50), dy.g.n(r, 2, 6), dy.g.n(r, 1, 3), r.IntN(3)
		if r.IntN(100) < 5 {
			exports = 1
		}
	case "support":
		views, updates, searches = dy.g.n(r, 35, 65), dy.g.n(r, 5, 10), dy.g.n(r, 2, 5)
	case "manager":
		views, reports = dy.g.n(r, 10, 20), dy.g.n(r, 3, 8)
		if r.IntN(100) < 30 {
			exports = 1
		}
	case "analyst":
		views, reports = dy.g.n(r, 2, 6), dy.g.n(r, 5, 12)
		if r.IntN(100) < 50 {
			exports = 1 + r.IntN(2)
		}
	case "marketing":
		searches, reports = dy.g.n(r, 6, 12), dy.g.n(r, 2, 4)
		if r.IntN(100) < 30 {
			exports = 1
		}
	case "admin":
		views, reports = dy.g.n(r, 4, 9), dy.g.n(r, 2, 5)
		if !weekend && r.IntN(100) < 25 {
			who := dy.g.people[r.IntN(len(dy.g.people))]
			dy.setup(p, dy.between(from, to), "PermSetAssign", "Manage Users",
				"Permission set "+benignPermSets[r.IntN(len(benignPermSets))]+": assigned to user "+who.Email)
		}
	}
	if weekend {
		views, updates, reports, exports = views/3, 0, reports/3, 0
	}
	for range views {
		if p.Role == "admin" {
			dy.uri(s, dy.between(from, to), "Read", "User", dy.g.people[r.IntN(len(dy.g.people))].userID)
			continue
		}
		e, id := dy.customer(p)
		dy.uri(s, dy.between(from, to), "Read", e, id)
	}
	if p.Role == "sales" && !weekend && r.IntN(100) < 10 {
		for range 1 + r.IntN(2) { // a colleague's customer: handover, cover
			if c, ok := dy.foreignCustomer(p); ok {
				dy.uri(s, dy.between(from, to), "Read", "Account", c)
			}
		}
	}
	for range updates {
		e, id := dy.customer(p)
		dy.uri(s, dy.between(from, to), "Update", e, id)
	}
	entities := []string{"Lead", "Contact", "Account"}
	for range searches {
		dy.listView(s, dy.between(from, to), entities[r.IntN(len(entities))], 20+r.IntN(180))
	}
	for range reports {
		dy.report(s, dy.between(from, to), false, "Opportunity", 20+r.IntN(2000))
	}
	for range exports {
		rows := 100 + r.IntN(6000)
		if p.Role == "sales" {
			rows = 20 + r.IntN(300)
		}
		dy.report(s, dy.between(from, to), true, "Account", rows)
	}
}

// onCall adds the short evening and early-morning sessions of the support
// rota, so that the logs have activity around the clock.
func (dy *day) onCall(wd time.Weekday) {
	g, r, d := dy.g, dy.r, dy.d
	var rota []*person
	for _, p := range g.people {
		if p.Role == "support" && g.employed(p, d) && !g.plan.blocked[blockKey{p.idx, d}] && !g.plan.busy[p.idx] {
			rota = append(rota, p)
		}
	}
	if len(rota) == 0 {
		return
	}
	for _, slot := range [][2]int{{21, 120}, {6, 90}, {1, 60}} {
		p := rota[(d*3+slot[0])%len(rota)]
		t := g.at(d, slot[0], 0, time.Duration(r.IntN(slot[1]))*time.Minute)
		s := dy.login(p, t, p.home, mobileIP(r, p.home), p.phone, true, 0)
		for i := range 2 + r.IntN(3) {
			e, id := dy.customer(p)
			dy.uri(s, t.Add(time.Duration(2+i*3)*time.Minute), "Read", e, id)
		}
		dy.logout(s, t.Add(20*time.Minute))
	}
}

// appendJSON encodes the record as one JSON line in the shape of the
// Salesforce REST API; r draws its identifier.
func (e *event) appendJSON(b []byte, r *rand.Rand) []byte {
	typ := [...]string{"LoginEvent", "LoginEvent", "LogoutEvent", "LightningUriEvent", "ReportEvent", "ListViewEvent", "SetupAuditTrail"}[e.kind]
	s := e.s
	b = append(b, `{"attributes":{"type":"`...)
	b = append(b, typ...)
	b = append(b, `"}`...)
	str := func(k, v string) {
		b = append(b, ',', '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		b = appendString(b, v)
	}
	if e.kind == kSetup {
		str("Id", "0Ym5g00000"+randID(r, 8))
		b = append(b, `,"CreatedDate":"`...)
		b = e.time().UTC().AppendFormat(b, "2006-01-02T15:04:05.000-0700")
		b = append(b, `","CreatedBy":{"Username":`...)
		b = appendString(b, s.user)
		b = append(b, '}')
		str("CreatedById", s.userID)
		str("Action", e.op)
		str("Section", e.section)
		str("Display", e.display)
		b = append(b, `,"DelegateUser":null}`...)
		return append(b, '\n')
	}
	str("EventIdentifier", uuid(r))
	b = append(b, `,"EventDate":"`...)
	b = e.time().UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, '"')
	str("UserId", s.userID)
	str("Username", s.user)
	if s.ip != "" {
		str("SourceIp", s.ip)
	}
	switch e.kind {
	case kLogin, kLoginFail:
		str("LoginType", "Application")
		str("Status", e.status)
		str("Country", s.c.Country)
		str("CountryIso", s.c.ISO)
		str("City", s.c.Name)
		b = append(b, `,"LoginLatitude":`...)
		b = strconv.AppendFloat(b, s.c.Lat, 'f', 4, 64)
		b = append(b, `,"LoginLongitude":`...)
		b = strconv.AppendFloat(b, s.c.Lon, 'f', 4, 64)
		str("Browser", s.ag.browser)
		str("Platform", s.ag.platform)
		str("LoginKey", s.loginKey)
		if e.kind == kLogin {
			str("SessionKey", s.key)
			str("SessionLevel", s.level)
		}
	case kLogout:
		str("SessionKey", s.key)
		str("LoginKey", s.loginKey)
		str("SessionLevel", s.level)
	default:
		str("SessionKey", s.key)
		str("LoginKey", s.loginKey)
		str("Operation", e.op)
		str("QueriedEntities", e.entity)
		switch e.kind {
		case kURI:
			str("RecordId", e.record)
		case kReport:
			str("ReportId", e.record)
			b = append(b, `,"RowsProcessed":`...)
			b = strconv.AppendInt(b, int64(e.rows), 10)
		case kListView:
			str("ListViewId", e.record)
			b = append(b, `,"RowsProcessed":`...)
			b = strconv.AppendInt(b, int64(e.rows), 10)
		}
	}
	return append(b, '}', '\n')
}

// appendString writes s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
