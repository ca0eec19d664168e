package anonymize

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/vigil-dg/vigil/rules"
)

// ErrDisclosure: a dataset failed the disclosure check and was not published.
var ErrDisclosure = errors.New("anonymize: dataset failed the disclosure check")

// DisclosureError lists every failure of a dataset's disclosure check, each
// naming a column and a figure, never a value.
type DisclosureError struct {
	Table    string
	Failures []string
}

func (e *DisclosureError) Error() string {
	return fmt.Sprintf("anonymize: table %q failed the disclosure check (dataset not published, the previous one stays): %s",
		e.Table, strings.Join(e.Failures, "; "))
}

// Unwrap makes errors.Is(err, ErrDisclosure) true.
func (e *DisclosureError) Unwrap() error { return ErrDisclosure }

// DisclosureReport is the disclosure check of one dataset, as written in
// _vigil.json under "disclosure". It holds figures, never values.
type DisclosureReport struct {
	Passed bool  `json:"passed"`
	K      int   `json:"k"`    // smallest class size accepted
	Rows   int64 `json:"rows"` // released rows checked
	// QuasiIdentifiers are the columns the classes are formed over: the
	// privacy model's (including released columns that joined the search),
	// or, without a model, the released columns classified as
	// quasi-identifiers.
	QuasiIdentifiers []string `json:"quasi_identifiers"`
	// MinClass and RowsBelowK over the quasi-identifiers alone.
	MinClass       int64              `json:"min_class"`
	RowsBelowK     int64              `json:"rows_below_k"`
	ClassSizes     []ClassSizeBin     `json:"class_sizes,omitempty"`
	PseudonymScope PseudonymScope     `json:"pseudonym_scope"`
	Columns        []DisclosureColumn `json:"columns"`
	Failures       []string           `json:"failures,omitempty"`
	// DurationMS is the time the check took (collecting and evaluating),
	// part of the stage's time.
	DurationMS float64 `json:"duration_ms"`
}

// ClassSizeBin is one bar of the class-size histogram: classes with
// From ≤ size ≤ To (To 0 = no upper bound) and the records in them.
type ClassSizeBin struct {
	From    int64 `json:"from"`
	To      int64 `json:"to,omitempty"`
	Classes int64 `json:"classes"`
	Records int64 `json:"records"`
}

// DisclosureColumn is the check of one released column.
type DisclosureColumn struct {
	Column string `json:"column"`
	Method Method `json:"method"`
	Status string `json:"status"` // pass | fail | exempt (class-size test)
	// Distinct values and the share of rows unique on the column alone.
	Distinct    int64   `json:"distinct"`
	UniqueShare float64 `json:"unique_share"`
	// Smallest class over the quasi-identifiers plus this column, and the
	// rows in classes smaller than k.
	MinClass   int64 `json:"min_class"`
	RowsBelowK int64 `json:"rows_below_k"`
	// IdentifierMatches: released values equal, raw or normalized
	// (digits-only phones, lower-cased e-mails, IDs without separators), to
	// a direct identifier of the snapshot.
	IdentifierMatches int64 `json:"identifier_matches"`
	// IdentifierFindings: phones, resident IDs, e-mails and cards found in
	// the released values by the validators (whatever the classification).
	IdentifierFindings int64 `json:"identifier_findings"`
	// Linkable: for pseudonyms, across what the tokens link.
	Linkable PseudonymScope `json:"linkable,omitempty"`
	// Exempt says why the class-size test does not apply.
	Exempt string `json:"exempt,omitempty"`
	// QuasiIdentifier: the column is one of the classes' columns.
	QuasiIdentifier bool `json:"quasi_identifier,omitempty"`
}

// Hash of a null cell; any fixed value distinct from real hashes in practice.
const nullHash = 0x9e3779b97f4a7c15

// checkCol is the running state of one released column.
type checkCol struct {
	rep    DisclosureColumn
	out    int  // output column index
	qi     bool // part of the classes' columns
	track  bool // class-size test: keep per-row hashes
	scan   bool // identifier match and validators
	hashes []uint64
	keys   []uint64 // normalized keys of released values (identifier match)
	nonNul int64
	cards  int64
	memo   map[uint64]scanResult
}

type scanResult struct {
	strong, card bool
	keys         []uint64
}

// checker is the disclosure check of one dataset, fed batch by batch.
type checker struct {
	k      int
	seed   maphash.Seed
	cols   []*checkCol
	qiCols []string
	rowQI  []uint64
	rows   int64
	idCols []int    // input field indices holding direct identifiers
	idKeys []uint64 // normalized keys of the snapshot's direct identifiers
	scope  PseudonymScope
	buf    []uint64
	acc    []uint64
	idMemo map[uint64]struct{}
	spent  time.Duration
}

// directIdentifier: the column's values identify a person (direct
// identifiers, and the sensitive personal information that are numbers
// issued to a person: resident IDs, cards, passports, accounts).
func directIdentifier(c ColumnClass) bool {
	if c.Category == rules.DirectIdentifier {
		return true
	}
	if c.Category != rules.PIPLSensitive {
		return false
	}
	id := strings.ToLower(c.ID)
	for _, w := range []string{"id", "card", "passport", "iban", "account", "licen", "plate", "phone"} {
		if strings.Contains(id, w) {
			return true
		}
	}
	return false
}

// newChecker prepares the check for the output columns of w.
func newChecker(w *datasetWriter) *checker {
	c := &checker{seed: maphash.MakeSeed(), scope: w.req.Policy.PseudonymScope, idMemo: map[uint64]struct{}{}}
	if c.scope == "" {
		c.scope = ScopeDataset
	}
	c.k = w.req.Policy.DisclosureK
	if w.priv != nil && w.priv.K > c.k {
		c.k = w.priv.K
	}
	if c.k < 2 {
		c.k = defaultDisclosureK
	}
	hasModel := w.plan != nil
	for _, cp := range w.plans {
		if directIdentifier(cp.class) {
			c.idCols = append(c.idCols, cp.index)
		}
	}
	for oi, pi := range w.outCols {
		cp := w.plans[pi]
		cc := &checkCol{out: oi, rep: DisclosureColumn{Column: cp.name, Method: cp.prot.Method}, memo: map[uint64]scanResult{}}
		switch {
		case hasModel && cp.qi >= 0:
			cc.qi = true
		case !hasModel && cp.class.Category == rules.QuasiIdentifier && !cp.prot.Insensitive &&
			cp.prot.Method != MethodRedact && cp.prot.Method != MethodPseudonym:
			cc.qi = true
		}
		cc.rep.QuasiIdentifier = cc.qi
		if cc.qi {
			c.qiCols = append(c.qiCols, cp.name)
		}
		switch {
		case cc.qi:
		case cp.prot.Insensitive:
			cc.rep.Exempt = "declared insensitive: " + cp.prot.Reason
		case cp.prot.Method == MethodRedact:
			cc.rep.Exempt = "redacted: one constant value"
		case cp.prot.Method == MethodPseudonym && cp.prot.Scope == ScopeDataset:
			cc.rep.Exempt = "keyed token, dataset scope: nobody without the key can compute it or link it to another table"
		case w.priv != nil && w.priv.Sensitive == cp.name && w.priv.L >= 2:
			cc.rep.Exempt = fmt.Sprintf("sensitive attribute under %s l-diversity (l=%g)", w.priv.LModel, w.priv.L)
		case w.priv != nil && w.priv.Sensitive == cp.name && w.priv.T > 0:
			cc.rep.Exempt = fmt.Sprintf("sensitive attribute under t-closeness (%s distance, t=%g)", w.priv.TModel, w.priv.T)
		default:
			cc.track = true
		}
		if cp.prot.Method == MethodPseudonym {
			cc.rep.Linkable = cp.prot.Scope
		}
		// Tokens are random-looking by design and masks cannot equal a
		// whole identifier; everything else released is scanned.
		switch cp.prot.Method {
		case MethodPseudonym, MethodRedact, MethodMask:
		default:
			cc.scan = true
		}
		c.cols = append(c.cols, cc)
	}
	return c
}

// addInput collects the snapshot's direct identifiers of a batch (all rows,
// suppressed included), as normalized keys.
func (c *checker) addInput(rec arrow.RecordBatch) {
	defer c.timed(time.Now())
	for _, f := range c.idCols {
		a := rec.Column(f)
		for i := 0; i < a.Len(); i++ {
			v, null := strAt(a, i)
			if null {
				continue
			}
			if k, ok := c.normKey(v); ok {
				if _, seen := c.idMemo[k]; !seen {
					c.idMemo[k] = struct{}{}
					c.idKeys = append(c.idKeys, k)
				}
			}
		}
	}
}

// normKey is the normalized form of a value: lower-case letters, digits
// and CJK characters only (separators, spaces and punctuation dropped; a
// +86/0086 prefix of a mobile number dropped), hashed. Too short keys are
// not identifiers.
func (c *checker) normKey(v string) (uint64, bool) {
	var b strings.Builder
	b.Grow(len(v))
	cjk, n := false, 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case unicode.Is(unicode.Han, r):
			b.WriteRune(r)
			cjk = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			continue
		}
		n++
	}
	s := b.String()
	if len(s) == 13 && strings.HasPrefix(s, "86") && s[2] == '1' && allASCIIDigits(s) {
		s, n = s[2:], 11
	} else if len(s) == 15 && strings.HasPrefix(s, "0086") && s[4] == '1' && allASCIIDigits(s) {
		s, n = s[4:], 11
	}
	if (cjk && n < 2) || (!cjk && n < 6) {
		return 0, false
	}
	return maphash.String(c.seed, s), true
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// addOutput feeds the released rows of one batch.
func (c *checker) addOutput(cols []arrow.Array, n int) {
	defer c.timed(time.Now())
	if cap(c.acc) < n {
		c.acc = make([]uint64, n)
		c.buf = make([]uint64, n)
	}
	acc, buf := c.acc[:n], c.buf[:n]
	for i := range acc {
		acc[i] = 0x243f6a8885a308d3
	}
	for _, cc := range c.cols {
		a := cols[cc.out]
		if cc.qi || cc.track {
			c.hashArray(a, buf)
			if cc.qi {
				for i, h := range buf {
					acc[i] = mix(acc[i], h)
				}
			}
			if cc.track {
				cc.hashes = append(cc.hashes, buf...)
			}
		}
		if cc.scan {
			c.scanArray(cc, a)
		}
	}
	c.rowQI = append(c.rowQI, acc...)
	c.rows += int64(n)
}

func mix(a, b uint64) uint64 {
	a ^= b + 0x9e3779b97f4a7c15 + (a << 6) + (a >> 2)
	a *= 0xbf58476d1ce4e5b9
	return a ^ (a >> 31)
}

// hashArray hashes every cell of a (nulls distinct from every value).
func (c *checker) hashArray(a arrow.Array, out []uint64) {
	var b [8]byte
	fixed := func(i int, v uint64) {
		for j := range b {
			b[j] = byte(v >> (8 * j))
		}
		out[i] = maphash.Bytes(c.seed, b[:])
	}
	for i := range out {
		if a.IsNull(i) {
			out[i] = nullHash
			continue
		}
		switch x := a.(type) {
		case *array.String:
			out[i] = maphash.String(c.seed, x.Value(i))
		case *array.LargeString:
			out[i] = maphash.String(c.seed, x.Value(i))
		case *array.Int64:
			fixed(i, uint64(x.Value(i)))
		case *array.Int32:
			fixed(i, uint64(x.Value(i)))
		case *array.Float64:
			fixed(i, math.Float64bits(x.Value(i)))
		case *array.Date32:
			fixed(i, uint64(x.Value(i)))
		case *array.Date64:
			fixed(i, uint64(x.Value(i)))
		case *array.Timestamp:
			fixed(i, uint64(x.Value(i)))
		default:
			out[i] = maphash.String(c.seed, a.ValueStr(i))
		}
	}
}

// scanArray runs the identifier match and the validators over a column's
// released values (memoized per distinct value).
func (c *checker) scanArray(cc *checkCol, a arrow.Array) {
	var num []byte
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			continue
		}
		var v string
		switch x := a.(type) {
		case *array.String:
			v = x.Value(i)
		case *array.LargeString:
			v = x.Value(i)
		case *array.Int64:
			num = strconv.AppendInt(num[:0], x.Value(i), 10)
			v = string(num)
		case *array.Float64, *array.Float32, *array.Boolean, *array.Date32, *array.Date64, *array.Timestamp:
			continue
		default:
			v = a.ValueStr(i)
		}
		cc.nonNul++
		h := maphash.String(c.seed, v)
		r, ok := cc.memo[h]
		if !ok {
			r = c.scanValue(v)
			if len(cc.memo) < 1<<16 {
				cc.memo[h] = r
			}
		}
		if r.strong {
			cc.rep.IdentifierFindings++
		}
		if r.card {
			cc.cards++
		}
		cc.keys = append(cc.keys, r.keys...)
	}
}

func (c *checker) scanValue(v string) scanResult {
	var r scanResult
	if k, ok := c.normKey(v); ok {
		r.keys = append(r.keys, k)
	}
	for _, f := range rules.FindInText(v) {
		switch f.Kind {
		case "bank_card":
			r.card = true
		default:
			r.strong = true
		}
		if f.Start > 0 || f.End < len(v) {
			if k, ok := c.normKey(v[f.Start:f.End]); ok {
				r.keys = append(r.keys, k)
			}
		}
	}
	return r
}

// classStats sorts hs (in place) and returns the distinct values, the rows
// in classes of size 1, the smallest class and the rows in classes < k.
func classStats(hs []uint64, k int) (distinct, unique, minClass, below int64) {
	slices.Sort(hs)
	minClass = math.MaxInt64
	for i := 0; i < len(hs); {
		j := i + 1
		for j < len(hs) && hs[j] == hs[i] {
			j++
		}
		n := int64(j - i)
		distinct++
		if n == 1 {
			unique++
		}
		if n < int64(k) {
			below += n
		}
		minClass = min(minClass, n)
		i = j
	}
	if len(hs) == 0 {
		minClass = 0
	}
	return
}

// histogram bins the class sizes over the quasi-identifiers.
func histogram(sorted []uint64) []ClassSizeBin {
	edges := []int64{1, 2, 5, 10, 20, 50, 100, 1000}
	bins := make([]ClassSizeBin, len(edges))
	for i, e := range edges {
		bins[i].From = e
		if i+1 < len(edges) {
			bins[i].To = edges[i+1] - 1
		}
	}
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		n := int64(j - i)
		b := sort.Search(len(edges), func(x int) bool { return edges[x] > n }) - 1
		bins[b].Classes++
		bins[b].Records += n
		i = j
	}
	out := bins[:0]
	for _, b := range bins {
		if b.Classes > 0 {
			out = append(out, b)
		}
	}
	return out
}

func pct(n, d int64) string {
	if d == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(n)/float64(d), 'f', 1, 64) + "%"
}

// finish computes the figures and the verdict.
func (c *checker) timed(start time.Time) { c.spent += time.Since(start) }

func (c *checker) finish() *DisclosureReport {
	start := time.Now()
	rep := &DisclosureReport{K: c.k, Rows: c.rows, QuasiIdentifiers: c.qiCols, PseudonymScope: c.scope}
	if rep.QuasiIdentifiers == nil {
		rep.QuasiIdentifiers = []string{}
	}
	fail := func(f string, args ...any) { rep.Failures = append(rep.Failures, fmt.Sprintf(f, args...)) }
	k := c.k
	hasQI := len(c.qiCols) > 0
	var qiSorted []uint64
	if hasQI && c.rows > 0 {
		qiSorted = append([]uint64(nil), c.rowQI...)
		_, _, rep.MinClass, rep.RowsBelowK = classStats(qiSorted, k)
		rep.ClassSizes = histogram(qiSorted)
		if rep.RowsBelowK > 0 {
			fail("quasi-identifiers (%s): %d rows (%s) in classes smaller than k=%d (smallest %d)",
				strings.Join(c.qiCols, ", "), rep.RowsBelowK, pct(rep.RowsBelowK, c.rows), k, rep.MinClass)
		}
	}
	slices.Sort(c.idKeys)
	scratch := make([]uint64, 0, c.rows)
	for _, cc := range c.cols {
		d := &cc.rep
		if cc.track && c.rows > 0 {
			scratch = append(scratch[:0], cc.hashes...)
			var unique int64
			d.Distinct, unique, _, _ = classStats(scratch, k)
			d.UniqueShare = float64(unique) / float64(c.rows)
			scratch = scratch[:0]
			for i, h := range cc.hashes {
				q := uint64(0)
				if hasQI {
					q = c.rowQI[i]
				}
				scratch = append(scratch, mix(q, h))
			}
			_, _, d.MinClass, d.RowsBelowK = classStats(scratch, k)
			cc.hashes = nil
		}
		for _, key := range cc.keys {
			if _, found := slices.BinarySearch(c.idKeys, key); found {
				d.IdentifierMatches++
			}
		}
		cc.keys = nil
		d.Status = "pass"
		if d.Exempt != "" {
			d.Status = "exempt"
		}
		over := "the column alone"
		if hasQI {
			over = "quasi-identifiers + " + d.Column
		}
		if cc.track && d.RowsBelowK > 0 {
			d.Status = "fail"
			fail("column %q: %d rows (%s) in classes smaller than k=%d over %s (smallest %d; %s of rows unique on the column alone)",
				d.Column, d.RowsBelowK, pct(d.RowsBelowK, c.rows), k, over, d.MinClass, pct(int64(math.Round(d.UniqueShare*float64(c.rows))), c.rows))
		}
		if d.IdentifierMatches > 0 {
			d.Status = "fail"
			fail("column %q: %d released values equal a direct identifier of the snapshot (raw or normalized)", d.Column, d.IdentifierMatches)
		}
		if cc.cards*100 > cc.nonNul && cc.cards > 0 {
			d.IdentifierFindings += cc.cards
		}
		if d.IdentifierFindings > 0 {
			d.Status = "fail"
			fail("column %q: %d released values hold a phone number, resident ID, e-mail or card number", d.Column, d.IdentifierFindings)
		}
		rep.Columns = append(rep.Columns, *d)
	}
	c.rowQI, c.idKeys, c.idMemo = nil, nil, nil
	rep.Passed = len(rep.Failures) == 0
	c.timed(start)
	rep.DurationMS = float64(c.spent.Microseconds()) / 1000
	return rep
}
