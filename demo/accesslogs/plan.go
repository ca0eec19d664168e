package accesslogs

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

type blockKey struct{ p, d int }

// plan holds the injected incidents: their scripted events by day, the
// person-days whose routine they replace, and the ground truth.
type plan struct {
	incidents []Incident
	extra     map[int][]event
	blocked   map[blockKey]bool
	busy      map[int]bool // people with a script: not on the support rota
	skipped   []string
}

// planner picks people and days for the incidents.
type planner struct {
	g    *gen
	r    *rand.Rand
	pool []*person // steady staff not yet given a script
}

func (pl *planner) take(ok func(*person) bool) *person {
	var idx []int
	for i, p := range pl.pool {
		if ok(p) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	i := idx[pl.r.IntN(len(idx))]
	p := pl.pool[i]
	pl.pool = slices.Delete(pl.pool, i, i+1)
	pl.g.plan.busy[p.idx] = true
	return p
}

// weekday returns a weekday index in [lo, hi], clipped to the period.
func (pl *planner) weekday(lo, hi int) int {
	g := pl.g
	lo, hi = max(lo, 0), min(hi, g.days-1)
	if lo > hi {
		lo = max(0, hi)
	}
	var cands []int
	for d := lo; d <= hi; d++ {
		if wd := g.start.AddDate(0, 0, d).Weekday(); wd != time.Saturday && wd != time.Sunday {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return lo + pl.r.IntN(hi-lo+1)
	}
	return cands[pl.r.IntN(len(cands))]
}

// inject runs a script for day d and keeps its events.
func (pl *planner) inject(d int, script func(dy *day)) []event {
	dy := &day{g: pl.g, d: d, r: pl.r}
	script(dy)
	pl.g.plan.extra[d] = append(pl.g.plan.extra[d], dy.out...)
	return dy.out
}

func (pl *planner) block(p *person, days ...int) {
	for _, d := range days {
		pl.g.plan.blocked[blockKey{p.idx, d}] = true
	}
}

func span(evs []event, keep func(*event) bool) (time.Time, time.Time) {
	var a, b int64
	for i := range evs {
		e := &evs[i]
		if keep != nil && !keep(e) {
			continue
		}
		if a == 0 || e.t < a {
			a = e.t
		}
		if e.t > b {
			b = e.t
		}
	}
	return time.Unix(0, a).UTC(), time.Unix(0, b).UTC()
}

func (pl *planner) record(in Incident) { pl.g.plan.incidents = append(pl.g.plan.incidents, in) }

func (pl *planner) skip(kind, why string) {
	pl.g.plan.skipped = append(pl.g.plan.skipped, kind+": "+why)
}

// normalDay scripts a plain office day for p (used when an incident must
// control the person's logins).
func (dy *day) normalDay(p *person, loginAt time.Time, mfa bool) *session {
	s := dy.login(p, loginAt, p.home, officeIP(p.home, p.natHost), p.desk, mfa, 0)
	end := dy.g.at(dy.d, 18, 0, time.Duration(dy.r.IntN(40))*time.Minute)
	dy.activity(s, loginAt.Add(2*time.Minute), end.Add(-2*time.Minute), false)
	dy.logout(s, end)
	return s
}

func attackerIP(r *rand.Rand, c *city) string { return c.Office + strconv.Itoa(100+r.IntN(150)) }

func isAdmin(p *person) bool { return p.Role == "admin" }

func (g *gen) makePlan() {
	g.plan = &plan{extra: map[int][]event{}, blocked: map[blockKey]bool{}, busy: map[int]bool{}}
	pl := &planner{g: g, r: rand.New(rand.NewPCG(uint64(g.opts.Seed), saltPlan))}
	for _, p := range g.people {
		if g.steady(p) {
			pl.pool = append(pl.pool, p)
		}
	}
	steady := slices.Clone(pl.pool)
	notAdmin := func(p *person) bool { return !isAdmin(p) }
	// plain people do not travel: scripts that replace a day of their
	// routine must not break a traveller's weekly pattern.
	plain := func(p *person) bool { return !isAdmin(p) && p.travel == nil }
	r := pl.r

	// Brute force: one account, many failures from one foreign address at night.
	if p := pl.take(notAdmin); p != nil {
		d := pl.weekday(3, 6)
		src := foreign[r.IntN(len(foreign))]
		ip := attackerIP(r, src)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 3, 10, time.Duration(r.IntN(20))*time.Minute)
			for range 30 + r.IntN(15) {
				t = t.Add(time.Duration(15+r.IntN(20)) * time.Second)
				dy.fail(p, t, src, ip, attackerAgents[0])
			}
		})
		a, b := span(evs, nil)
		pl.record(Incident{Detection: "brute_force", Kind: "brute-force run", User: p.Email, Start: a, End: b,
			Note: "failed logins from " + ip + " (" + src.Name + ")"})
	} else {
		pl.skip("brute_force", "no staff")
	}

	// Password spray: one address, one attempt against each of many accounts.
	if len(steady) >= 6 {
		d := pl.weekday(7, 9)
		src := foreign[(r.IntN(len(foreign)))]
		ip := attackerIP(r, src)
		targets := slices.Clone(steady)
		r.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
		targets = targets[:min(25, len(targets))]
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 2, 20, time.Duration(r.IntN(20))*time.Minute)
			for _, p := range targets {
				t = t.Add(time.Duration(10+r.IntN(20)) * time.Second)
				dy.fail(p, t, src, ip, attackerAgents[1])
			}
		})
		a, b := span(evs, nil)
		pl.record(Incident{Detection: "password_spray", Kind: "password spray", Key: ip, Start: a, End: b,
			Note: strconv.Itoa(len(targets)) + " accounts tried from " + src.Name})
	} else {
		pl.skip("password_spray", "fewer than 6 steady staff")
	}

	// Success after failures: a guessed password at the office.
	if p := pl.take(plain); p != nil {
		d := pl.weekday(5, 11)
		pl.block(p, d)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 8, 50, time.Duration(r.IntN(20))*time.Minute)
			s := dy.login(p, t, p.home, officeIP(p.home, p.natHost), p.desk, false, 6+r.IntN(3))
			end := g.at(d, 18, 0, 0)
			dy.activity(s, t.Add(2*time.Minute), end, false)
			dy.logout(s, end)
		})
		a, b := span(evs, func(e *event) bool { return e.kind == kLogin || e.kind == kLoginFail })
		pl.record(Incident{Detection: "success_after_failures", Kind: "success after failures", User: p.Email, Start: a, End: b})
	} else {
		pl.skip("success_after_failures", "no staff")
	}

	// New location (异地登录): a login from a far city the account never used.
	if g.days < 19 {
		pl.skip("new_location", "needs at least 19 days of logs")
	} else if p := pl.take(plain); p != nil {
		d := pl.weekday(16, g.days-3)
		var far []*city
		for _, c := range farDomestic {
			if km(c, p.home) > 500 && (p.travel == nil || km(c, p.travel) > 500) {
				far = append(far, c)
			}
		}
		c := far[r.IntN(len(far))]
		pl.block(p, d)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 11, 0, time.Duration(r.IntN(60))*time.Minute)
			s := dy.login(p, t, c, mobileIP(r, c), p.phone, false, 0)
			for i := range 4 {
				e, id := dy.customer(p)
				dy.uri(s, t.Add(time.Duration(2+i*3)*time.Minute), "Read", e, id)
			}
			dy.logout(s, t.Add(20*time.Minute))
		})
		a, _ := span(evs, func(e *event) bool { return e.kind == kLogin })
		pl.record(Incident{Detection: "new_location", Kind: "login from a new city", User: p.Email, Start: a, End: a,
			Note: "first login from " + c.Name})
	} else {
		pl.skip("new_location", "no staff")
	}

	// Impossible travel: a foreign login an hour after the office login.
	if p := pl.take(plain); p != nil {
		d := pl.weekday(10, 14)
		c := foreign[r.IntN(len(foreign))]
		pl.block(p, d)
		evs := pl.inject(d, func(dy *day) {
			dy.normalDay(p, g.at(d, 9, 0, time.Duration(r.IntN(20))*time.Minute), true)
			t := g.at(d, 10, 30, time.Duration(r.IntN(30))*time.Minute)
			s := dy.login(p, t, c, attackerIP(r, c), attackerAgents[1], false, 0)
			for i := range 5 {
				e, id := dy.customer(p)
				dy.uri(s, t.Add(time.Duration(1+i*2)*time.Minute), "Read", e, id)
			}
		})
		a, _ := span(evs, func(e *event) bool { return e.kind == kLogin && e.s.c == c })
		pl.record(Incident{Detection: "impossible_travel", Also: []string{"new_location"}, Kind: "impossible travel",
			User: p.Email, Start: a, End: a, Note: "login from " + c.Name + " while working in " + p.home.Name})
	} else {
		pl.skip("impossible_travel", "no staff")
	}

	// Off-hours bulk export at night.
	if p := pl.take(func(p *person) bool { return !isAdmin(p) && p.Role != "support" }); p != nil {
		d := pl.weekday(12, 18)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 2, 20, time.Duration(r.IntN(30))*time.Minute)
			s := dy.login(p, t, p.home, mobileIP(r, p.home), p.desk, true, 0)
			dy.report(s, t.Add(3*time.Minute), false, "Account", 4000+r.IntN(5000))
			dy.report(s, t.Add(5*time.Minute), true, "Account", 4000+r.IntN(5000))
			dy.report(s, t.Add(9*time.Minute), true, "Contact", 3000+r.IntN(5000))
			dy.logout(s, t.Add(15*time.Minute))
		})
		a, b := span(evs, func(e *event) bool { return e.kind == kReport && e.op == "ReportExported" })
		pl.record(Incident{Detection: "offhours_bulk_export", Kind: "off-hours bulk export", User: p.Email, Start: a, End: b})
	} else {
		pl.skip("offhours_bulk_export", "no staff")
	}

	// A salesperson browsing other people's customers.
	if p := pl.take(func(p *person) bool { return p.Role == "sales" }); p != nil && len(g.customers)-len(p.owned) >= 12 {
		d := pl.weekday(4, g.days-2)
		var foreignIDs []string
		for _, c := range g.customers {
			if g.ownerOf[c] != p.ID {
				foreignIDs = append(foreignIDs, c)
			}
		}
		r.Shuffle(len(foreignIDs), func(i, j int) { foreignIDs[i], foreignIDs[j] = foreignIDs[j], foreignIDs[i] })
		foreignIDs = foreignIDs[:min(35, len(foreignIDs))]
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 13, 58, 0)
			s := dy.login(p, t, p.home, officeIP(p.home, p.natHost), p.desk, true, 0)
			for i, c := range foreignIDs {
				dy.uri(s, t.Add(2*time.Minute+time.Duration(i)*3*time.Minute+time.Duration(r.IntN(90))*time.Second), "Read", "Account", c)
			}
			dy.logout(s, t.Add(2*time.Hour+10*time.Minute))
		})
		a, b := span(evs, func(e *event) bool { return e.kind == kURI })
		pl.record(Incident{Detection: "unowned_customer_access", Kind: "salesperson viewing customers they do not own",
			User: p.Email, Start: a, End: b, Note: strconv.Itoa(len(foreignIDs)) + " customers"})
	} else {
		pl.skip("unowned_customer_access", "no salesperson or too few customers")
	}

	// Admin rights granted to a salesperson.
	actor := pl.take(isAdmin)
	if actor == nil {
		actor = pl.take(func(p *person) bool { return p.Role == "manager" })
	}
	if target := pl.take(func(p *person) bool { return p.Role == "sales" }); actor != nil && target != nil {
		d := pl.weekday(6, g.days-2)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 22, 40, time.Duration(r.IntN(15))*time.Minute)
			dy.setup(actor, t, "changedprofileforuser", "Manage Users",
				"Changed profile for user "+target.Email+" from Standard Sales User to "+adminProfile)
		})
		a, b := span(evs, nil)
		pl.record(Incident{Detection: "admin_grant", Kind: "role granted admin privileges", User: actor.Email, Key: target.Email, Start: a, End: b})
	} else {
		pl.skip("admin_grant", "no administrator or salesperson")
	}

	// Activity of someone who left.
	var leavers []*person
	for _, p := range g.people {
		if p.Leave.IsZero() || !p.Leave.Before(g.date(g.days-2)) || p.Hire.After(p.Leave) {
			continue
		}
		leavers = append(leavers, p)
	}
	// prefer accounts that were never disabled, then the most recent leavers
	slices.SortStableFunc(leavers, func(a, b *person) int {
		if (a.Status == "active") != (b.Status == "active") {
			if a.Status == "active" {
				return -1
			}
			return 1
		}
		return b.Leave.Compare(a.Leave)
	})
	if len(leavers) > 0 {
		p := leavers[r.IntN(min(3, len(leavers)))]
		dl := int(p.Leave.Sub(g.date(0)).Hours() / 24)
		d := max(dl+3+r.IntN(3), 1)
		if d > g.days-1 {
			d = g.days - 1
		}
		g.plan.busy[p.idx] = true
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 10, 5, time.Duration(r.IntN(60))*time.Minute)
			s := dy.login(p, t, p.home, mobileIP(r, p.home), p.desk, true, 0)
			for i := range 6 {
				e, id := dy.customer(p)
				dy.uri(s, t.Add(time.Duration(2+i*2)*time.Minute), "Read", e, id)
			}
			dy.report(s, t.Add(16*time.Minute), true, "Account", 150+r.IntN(200))
			dy.logout(s, t.Add(20*time.Minute))
		})
		a, b := span(evs, nil)
		pl.record(Incident{Detection: "disabled_account_activity", Kind: "activity by a departed account", User: p.Email, Start: a, End: b,
			Note: "left " + p.Leave.Format("2006-01-02") + ", account " + p.Status})
	} else {
		pl.skip("disabled_account_activity", "no leaver in staff.csv")
	}

	// A dormant account wakes up.
	if g.days < 27 {
		pl.skip("dormant_account", "needs at least 27 days of logs")
	} else if p := pl.take(plain); p != nil {
		wake := 25 + r.IntN(g.days-26)
		for d := 0; d <= wake; d++ {
			pl.block(p, d)
		}
		pl.inject(1, func(dy *day) { dy.normalDay(p, g.at(1, 9, 10, 0), true) })
		evs := pl.inject(wake, func(dy *day) {
			t := g.at(wake, 9, 40, time.Duration(r.IntN(60))*time.Minute)
			s := dy.login(p, t, p.home, officeIP(p.home, p.natHost), p.desk, true, 0)
			for i := range 5 {
				e, id := dy.customer(p)
				dy.uri(s, t.Add(time.Duration(2+i*4)*time.Minute), "Read", e, id)
			}
			dy.logout(s, t.Add(30*time.Minute))
		})
		a, _ := span(evs, func(e *event) bool { return e.kind == kLogin })
		pl.record(Incident{Detection: "dormant_account", Kind: "dormant account waking up", User: p.Email, Start: a, End: a})
	} else {
		pl.skip("dormant_account", "no staff")
	}

	// Too many concurrent sessions: shared credentials.
	if p := pl.take(plain); p != nil {
		d := pl.weekday(8, 20)
		pl.block(p, d)
		var extraSessions []event
		pl.inject(d, func(dy *day) {
			dy.normalDay(p, g.at(d, 8, 40, 0), true)
			n := len(dy.out)
			t := g.at(d, 14, 0, 0)
			for i := range 7 {
				ts := t.Add(time.Duration(i*2) * time.Minute)
				s := dy.login(p, ts, p.home, mobileIP(r, p.home), p.phone, false, 0)
				for j := range 3 {
					e, id := dy.customer(p)
					dy.uri(s, ts.Add(time.Duration(20+j*20)*time.Minute), "Read", e, id)
				}
			}
			extraSessions = slices.Clone(dy.out[n:])
		})
		a, b := span(extraSessions, nil)
		pl.record(Incident{Detection: "concurrent_sessions", Kind: "too many concurrent sessions", User: p.Email, Start: a, End: b})
	} else {
		pl.skip("concurrent_sessions", "no staff")
	}

	// An administrator logs in without MFA.
	admin := pl.take(isAdmin)
	if admin == nil {
		for _, p := range steady {
			if isAdmin(p) {
				admin = p
				break
			}
		}
	}
	if admin != nil {
		d := pl.weekday(2, g.days-2)
		pl.block(admin, d)
		evs := pl.inject(d, func(dy *day) {
			dy.normalDay(admin, g.at(d, 9, 5, time.Duration(r.IntN(20))*time.Minute), false)
		})
		a, _ := span(evs, func(e *event) bool { return e.kind == kLogin })
		pl.record(Incident{Detection: "privileged_login_no_mfa", Kind: "privileged login without MFA", User: admin.Email, Start: a, End: a})
	} else {
		pl.skip("privileged_login_no_mfa", "no administrator in staff.csv")
	}

	// MFA switched off for an account.
	mfaActor := actor
	if mfaActor == nil {
		mfaActor = admin
	}
	if target := pl.take(notAdmin); mfaActor != nil && target != nil {
		d := pl.weekday(9, g.days-2)
		evs := pl.inject(d, func(dy *day) {
			t := g.at(d, 16, 10, time.Duration(r.IntN(30))*time.Minute)
			dy.setup(mfaActor, t, "PermSetUnassign", "Manage Users", "Permission set "+mfaPermSet+": unassigned from user "+target.Email)
		})
		a, b := span(evs, nil)
		pl.record(Incident{Detection: "mfa_disabled", Kind: "MFA disabled for an account", User: mfaActor.Email, Key: target.Email, Start: a, End: b})
	} else {
		pl.skip("mfa_disabled", "no administrator or target")
	}
}
