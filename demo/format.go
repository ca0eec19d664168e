package demo

import (
	"math/rand/v2"
	"strconv"
)

// Small allocation-free helpers for the hot loops: civil-date arithmetic on
// day numbers, zero-padded digits, seed mixing and weighted picks.

// daysFromCivil returns the number of days since 1970-01-01 of a proleptic
// Gregorian date.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

const digitPairs = "0001020304050607080910111213141516171819" +
	"2021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859" +
	"6061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendPad appends v in decimal, left-padded with zeros to width digits.
func appendPad(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 100 {
		q := v / 100
		r := (v - q*100) * 2
		i -= 2
		tmp[i], tmp[i+1] = digitPairs[r], digitPairs[r+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		tmp[i], tmp[i+1] = digitPairs[2*v], digitPairs[2*v+1]
	} else {
		i--
		tmp[i] = byte('0' + v)
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// appendDate appends a day number as YYYY-MM-DD.
func appendDate(b []byte, days int) []byte {
	y, m, d := civilFromDays(days)
	b = appendPad(b, uint64(y), 4)
	b = append(b, '-')
	b = appendPad(b, uint64(m), 2)
	b = append(b, '-')
	return appendPad(b, uint64(d), 2)
}

// appendCompactDate appends a day number as YYYYMMDD.
func appendCompactDate(b []byte, days int) []byte {
	y, m, d := civilFromDays(days)
	b = appendPad(b, uint64(y), 4)
	b = appendPad(b, uint64(m), 2)
	return appendPad(b, uint64(d), 2)
}

// appendClock appends seconds of the day as HH:MM:SS.
func appendClock(b []byte, sod int) []byte {
	b = appendPad(b, uint64(sod/3600), 2)
	b = append(b, ':')
	b = appendPad(b, uint64(sod/60%60), 2)
	b = append(b, ':')
	return appendPad(b, uint64(sod%60), 2)
}

// appendDateTime appends wall-clock seconds since the epoch as
// "YYYY-MM-DD HH:MM:SS".
func appendDateTime(b []byte, sec int64) []byte {
	b = appendDate(b, int(sec/86400))
	b = append(b, ' ')
	return appendClock(b, int(sec%86400))
}

// appendRFC3339 appends wall-clock seconds (China time) as RFC 3339 with the
// +08:00 offset.
func appendRFC3339(b []byte, sec int64) []byte {
	b = appendDate(b, int(sec/86400))
	b = append(b, 'T')
	b = appendClock(b, int(sec%86400))
	return append(b, "+08:00"...)
}

// appendMoney appends an amount in cents as 1234.50, or as 1,234.50 when
// grouped is true.
func appendMoney(b []byte, cents int64, grouped bool) []byte {
	units := cents / 100
	if !grouped || units < 1000 {
		b = strconv.AppendInt(b, units, 10)
	} else {
		var groups [7]int64
		n := 0
		for units >= 1000 {
			groups[n] = units % 1000
			units /= 1000
			n++
		}
		b = strconv.AppendInt(b, units, 10)
		for n > 0 {
			n--
			b = append(b, ',')
			b = appendPad(b, uint64(groups[n]), 3)
		}
	}
	b = append(b, '.')
	return appendPad(b, uint64(cents%100), 2)
}

// appendRandDigits appends n random decimal digits.
func appendRandDigits(b []byte, r *rand.Rand, n int) []byte {
	for n > 0 {
		k := min(n, 18)
		v := r.Uint64N(pow10[k])
		b = appendPad(b, v, k)
		n -= k
	}
	return b
}

var pow10 = [19]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18}

// mix is the SplitMix64 finalizer: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Salts separating the random streams derived from one seed.
const (
	saltHeaders uint64 = iota + 1
	saltStaff
	saltCustomers
	saltCards
	saltOrders
	saltEnrollments
	saltIDs
)

// stream returns a PCG generator for one purpose of one seed.
func stream(seed, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed^mix(salt)), mix(salt+0x5bd1e995)))
}

// picker draws indexes with integer weights in O(1) from an expanded table.
type picker []uint16

func newPicker(weights []int) picker {
	var p picker
	for i, w := range weights {
		for range w {
			p = append(p, uint16(i))
		}
	}
	return p
}

func (p picker) pick(r *rand.Rand) int { return int(p[r.IntN(len(p))]) }

// weightsOf extracts weights with f.
func weightsOf[T any](xs []T, f func(T) int) []int {
	w := make([]int, len(xs))
	for i, x := range xs {
		w[i] = f(x)
	}
	return w
}

// chance reports true with probability per-mille/1000.
func chance(r *rand.Rand, perMille int) bool { return r.IntN(1000) < perMille }

// band is a range of amounts in cents with a relative weight.
type band struct {
	lo, hi int64 // cents, hi exclusive
	w      int
}

// bands draws skewed amounts (a stand-in for a log-normal) with integer
// arithmetic only, so the bytes do not depend on the platform's floating point.
type bands struct {
	b []band
	p picker
}

func newBands(b []band) bands {
	return bands{b: b, p: newPicker(weightsOf(b, func(x band) int { return x.w }))}
}

func (bs bands) draw(r *rand.Rand) int64 {
	b := bs.b[bs.p.pick(r)]
	return b.lo + r.Int64N(b.hi-b.lo)
}
