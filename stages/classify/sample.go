package classify

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// reservoir keeps a uniform random sample of at most k non-null values of
// one column (Vitter's Algorithm L: after the first k values it jumps from
// one accepted position to the next, so the values it skips are never
// converted to text).
type reservoir struct {
	k       int
	vals    []string
	nonNull int64   // non-null values seen so far
	next    int64   // index (among non-null values) of the next value to take
	w       float64 // Algorithm L state
	rng     *rand.Rand
}

func newReservoir(k int, seed, stream uint64) *reservoir {
	return &reservoir{k: k, vals: make([]string, 0, min(k, 1024)), rng: rand.New(rand.NewPCG(seed, stream))}
}

// u returns a uniform number in (0, 1].
func (r *reservoir) u() float64 { return 1 - r.rng.Float64() }

func (r *reservoir) skip() {
	r.next += int64(math.Floor(math.Log(r.u())/math.Log1p(-r.w))) + 1
}

// take handles the non-null value with index idx, converting it with text
// only when it enters the sample.
func (r *reservoir) take(idx int64, text func() string) {
	if idx < int64(r.k) {
		r.vals = append(r.vals, text())
		if len(r.vals) == r.k {
			r.w = math.Exp(math.Log(r.u()) / float64(r.k))
			r.next = int64(r.k) - 1
			r.skip()
		}
		return
	}
	if idx == r.next {
		r.vals[r.rng.IntN(r.k)] = text()
		r.w *= math.Exp(math.Log(r.u()) / float64(r.k))
		r.skip()
	}
}

// add feeds one Arrow column chunk to the reservoir.
func (r *reservoir) add(arr arrow.Array) {
	n := arr.Len()
	if arr.NullN() == 0 {
		base := r.nonNull
		// fill phase value by value, then jump straight to accepted positions
		i := 0
		for ; i < n && base+int64(i) < int64(r.k); i++ {
			r.take(base+int64(i), func() string { return valueText(arr, i) })
		}
		for r.len() == r.k && r.next < base+int64(n) {
			j := int(r.next - base)
			r.take(r.next, func() string { return valueText(arr, j) })
		}
		r.nonNull += int64(n)
		return
	}
	if arr.NullN() == n {
		return
	}
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			continue
		}
		idx := r.nonNull
		r.nonNull++
		if idx < int64(r.k) || idx == r.next {
			r.take(idx, func() string { return valueText(arr, i) })
		}
	}
}

func (r *reservoir) len() int { return len(r.vals) }

// valueText renders one non-null Arrow value as the text the rules check:
// strings as they are, integers and decimals in decimal, dates as
// 2006-01-02, timestamps as 2006-01-02 15:04:05 (UTC), booleans as true/false.
func valueText(arr arrow.Array, i int) string {
	switch a := arr.(type) {
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.LargeString:
		return strings.Clone(a.Value(i))
	case *array.StringView:
		return strings.Clone(a.Value(i))
	case *array.Binary:
		if b := a.Value(i); utf8.Valid(b) {
			return string(b)
		}
		return ""
	case *array.LargeBinary:
		if b := a.Value(i); utf8.Valid(b) {
			return string(b)
		}
		return ""
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'f', -1, 32)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'f', -1, 64)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Date32:
		return a.Value(i).ToTime().Format(time.DateOnly)
	case *array.Date64:
		return a.Value(i).ToTime().Format(time.DateOnly)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format(time.DateTime)
	case *array.Dictionary:
		return valueText(a.Dictionary(), a.GetValueIndex(i))
	}
	return arr.ValueStr(i)
}
