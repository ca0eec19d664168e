package extract

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the logical kind of a column.
type Kind int

// Column kinds. The zero Kind is KindString.
const (
	KindString Kind = iota
	KindInt64
	KindDecimal
	KindBool
	KindDate
	KindTimestamp
)

// String returns the lower-case name of the kind ("decimal" without precision).
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindInt64:
		return "int64"
	case KindDecimal:
		return "decimal"
	case KindBool:
		return "bool"
	case KindDate:
		return "date"
	case KindTimestamp:
		return "timestamp"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Type is a column type. Precision and Scale are used by KindDecimal only.
// The zero Type is a string column.
type Type struct {
	Kind             Kind
	Precision, Scale int32
}

// Convenience values for the parameterless types.
var (
	TypeString    = Type{Kind: KindString}
	TypeInt64     = Type{Kind: KindInt64}
	TypeBool      = Type{Kind: KindBool}
	TypeDate      = Type{Kind: KindDate}
	TypeTimestamp = Type{Kind: KindTimestamp}
)

// MaxDecimalPrecision is the largest precision of a decimal column (decimal128).
const MaxDecimalPrecision = 38

// Decimal returns the decimal(p,s) type. It does not validate p and s; see [Type.Validate].
func Decimal(p, s int32) Type { return Type{Kind: KindDecimal, Precision: p, Scale: s} }

// ParseType parses a type name as written in the configuration: "string",
// "int64" (alias "integer"), "decimal(p,s)" with 1 <= p <= 38 and 0 <= s <= p,
// "bool", "date" or "timestamp". Case and surrounding spaces are ignored.
// Anything else is an error wrapping [ErrInvalidType].
func ParseType(s string) (Type, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	switch name {
	case "string":
		return TypeString, nil
	case "int64", "integer":
		return TypeInt64, nil
	case "bool":
		return TypeBool, nil
	case "date":
		return TypeDate, nil
	case "timestamp":
		return TypeTimestamp, nil
	}
	if rest, ok := strings.CutPrefix(name, "decimal"); ok {
		rest = strings.TrimSpace(rest)
		if inner, ok := strings.CutPrefix(rest, "("); ok {
			if inner, ok = strings.CutSuffix(inner, ")"); ok {
				ps, ss, ok := strings.Cut(inner, ",")
				if ok {
					p, perr := strconv.ParseInt(strings.TrimSpace(ps), 10, 32)
					sc, serr := strconv.ParseInt(strings.TrimSpace(ss), 10, 32)
					if perr == nil && serr == nil {
						t := Decimal(int32(p), int32(sc))
						if err := t.Validate(); err != nil {
							return Type{}, err
						}
						return t, nil
					}
				}
			}
		}
		return Type{}, fmt.Errorf("%w %q: want decimal(precision,scale)", ErrInvalidType, s)
	}
	return Type{}, fmt.Errorf("%w %q: want string, int64, decimal(p,s), bool, date or timestamp", ErrInvalidType, s)
}

// Validate reports whether t is a usable column type.
func (t Type) Validate() error {
	switch t.Kind {
	case KindString, KindInt64, KindBool, KindDate, KindTimestamp:
		if t.Precision != 0 || t.Scale != 0 {
			return fmt.Errorf("%w: %s takes no precision or scale", ErrInvalidType, t.Kind)
		}
		return nil
	case KindDecimal:
		if t.Precision < 1 || t.Precision > MaxDecimalPrecision {
			return fmt.Errorf("%w: decimal precision %d is outside 1..%d", ErrInvalidType, t.Precision, MaxDecimalPrecision)
		}
		if t.Scale < 0 || t.Scale > t.Precision {
			return fmt.Errorf("%w: decimal scale %d is outside 0..%d", ErrInvalidType, t.Scale, t.Precision)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown kind %d", ErrInvalidType, int(t.Kind))
}

// String returns the configuration spelling of t; it round-trips with [ParseType].
func (t Type) String() string {
	if t.Kind == KindDecimal {
		return "decimal(" + strconv.Itoa(int(t.Precision)) + "," + strconv.Itoa(int(t.Scale)) + ")"
	}
	return t.Kind.String()
}

// timestampType is the Arrow type of timestamp columns: microseconds, UTC.
var timestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// ArrowType returns the Arrow data type of t: utf8, int64, decimal128(p,s),
// bool, date32 or timestamp[us, tz=UTC].
func (t Type) ArrowType() arrow.DataType {
	switch t.Kind {
	case KindInt64:
		return arrow.PrimitiveTypes.Int64
	case KindDecimal:
		return &arrow.Decimal128Type{Precision: t.Precision, Scale: t.Scale}
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindTimestamp:
		return timestampType
	}
	return arrow.BinaryTypes.String
}
