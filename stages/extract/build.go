package extract

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// column accumulates one column of the current batch in Go slices that are
// reused from batch to batch; finish copies them into Arrow buffers of the
// exact size. Appends can be undone (pop) when a later field of the same
// row fails.
type column struct {
	name   string
	typ    Type
	strict bool // inferred: parse as inference did
	dt     arrow.DataType

	n     int
	nulls int
	valid []byte // one byte per row; 1 = not null
	i64   []int64
	i32   []int32
	dec   []decimal128.Num
	bools []byte
	offs  []int32 // strings: n+1 offsets into data
	data  []byte

	zone *zoneCache // timestamps: the zone of values without one (nil: UTC)
}

func newColumn(name string, typ Type, inferred bool) column {
	c := column{name: name, typ: typ, strict: inferred, dt: typ.ArrowType()}
	c.offs = append(c.offs, 0)
	return c
}

// append adds one field; it returns false (and adds nothing) when the value
// does not fit the column type.
func (c *column) append(v []byte) bool {
	if c.typ.Kind == KindString {
		if len(v) == 0 {
			c.valid = append(c.valid, 0)
			c.nulls++
		} else {
			c.valid = append(c.valid, 1)
			c.data = append(c.data, v...)
		}
		c.offs = append(c.offs, int32(len(c.data)))
		c.n++
		return true
	}
	v = trimSpace(v)
	if len(v) == 0 {
		c.valid = append(c.valid, 0)
		c.nulls++
		switch c.typ.Kind {
		case KindInt64, KindTimestamp:
			c.i64 = append(c.i64, 0)
		case KindDate:
			c.i32 = append(c.i32, 0)
		case KindDecimal:
			c.dec = append(c.dec, decimal128.Num{})
		case KindBool:
			c.bools = append(c.bools, 0)
		}
		c.n++
		return true
	}
	switch c.typ.Kind {
	case KindInt64:
		x, ok := parseInt(v, c.strict)
		if !ok {
			return false
		}
		c.i64 = append(c.i64, x)
	case KindDecimal:
		x, ok := parseDecimal(v, c.typ.Precision, c.typ.Scale, c.strict)
		if !ok {
			return false
		}
		c.dec = append(c.dec, x)
	case KindBool:
		x, ok := parseBool(v, c.strict)
		if !ok {
			return false
		}
		var bit byte
		if x {
			bit = 1
		}
		c.bools = append(c.bools, bit)
	case KindDate:
		x, ok := parseDate(v)
		if !ok {
			return false
		}
		c.i32 = append(c.i32, x)
	case KindTimestamp:
		x, _, ok := parseTimestamp(v)
		if !ok {
			return false
		}
		if c.zone != nil && !hasZone(v) {
			x = c.zone.toUTC(x)
		}
		c.i64 = append(c.i64, x)
	}
	c.valid = append(c.valid, 1)
	c.n++
	return true
}

// pop removes the last appended value.
func (c *column) pop() {
	c.n--
	if c.valid[c.n] == 0 {
		c.nulls--
	}
	c.valid = c.valid[:c.n]
	switch c.typ.Kind {
	case KindString:
		c.offs = c.offs[:c.n+1]
		c.data = c.data[:c.offs[c.n]]
	case KindInt64, KindTimestamp:
		c.i64 = c.i64[:c.n]
	case KindDate:
		c.i32 = c.i32[:c.n]
	case KindDecimal:
		c.dec = c.dec[:c.n]
	case KindBool:
		c.bools = c.bools[:c.n]
	}
}

func (c *column) reset() {
	c.n, c.nulls = 0, 0
	c.valid = c.valid[:0]
	c.i64 = c.i64[:0]
	c.i32 = c.i32[:0]
	c.dec = c.dec[:0]
	c.bools = c.bools[:0]
	c.offs = c.offs[:1]
	c.data = c.data[:0]
}

// finish moves the accumulated rows into a new Arrow array and resets c.
func (c *column) finish(mem memory.Allocator) arrow.Array {
	var validity *memory.Buffer
	if c.nulls > 0 {
		validity = packBits(mem, c.valid)
	}
	var bufs []*memory.Buffer
	switch c.typ.Kind {
	case KindString:
		bufs = []*memory.Buffer{validity, copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.offs)), copyBuffer(mem, c.data)}
	case KindInt64, KindTimestamp:
		bufs = []*memory.Buffer{validity, copyBuffer(mem, arrow.Int64Traits.CastToBytes(c.i64))}
	case KindDate:
		bufs = []*memory.Buffer{validity, copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.i32))}
	case KindDecimal:
		bufs = []*memory.Buffer{validity, copyBuffer(mem, arrow.Decimal128Traits.CastToBytes(c.dec))}
	case KindBool:
		bufs = []*memory.Buffer{validity, packBits(mem, c.bools)}
	}
	data := array.NewData(c.dt, c.n, bufs, nil, c.nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	arr := array.MakeFromData(data)
	data.Release()
	c.reset()
	return arr
}

func copyBuffer(mem memory.Allocator, b []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(b))
	copy(buf.Bytes(), b)
	return buf
}

// packBits turns one byte per value (0 or 1) into an Arrow bitmap.
func packBits(mem memory.Allocator, v []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize((len(v) + 7) / 8)
	out := buf.Bytes()
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := v[i : i+8 : i+8]
		out[i/8] = w[0] | w[1]<<1 | w[2]<<2 | w[3]<<3 | w[4]<<4 | w[5]<<5 | w[6]<<6 | w[7]<<7
	}
	if i < len(v) {
		var last byte
		for j := i; j < len(v); j++ {
			last |= v[j] << (j - i)
		}
		out[i/8] = last
	}
	return buf
}
