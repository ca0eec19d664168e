package extract

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		in    string
		want  Type
		canon string
		arrow arrow.DataType
	}{
		{"string", TypeString, "string", arrow.BinaryTypes.String},
		{"int64", TypeInt64, "int64", arrow.PrimitiveTypes.Int64},
		{"integer", TypeInt64, "int64", arrow.PrimitiveTypes.Int64},
		{" INT64 ", TypeInt64, "int64", arrow.PrimitiveTypes.Int64},
		{"decimal(18,2)", Decimal(18, 2), "decimal(18,2)", &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{"Decimal( 38 , 0 )", Decimal(38, 0), "decimal(38,0)", &arrow.Decimal128Type{Precision: 38, Scale: 0}},
		{"bool", TypeBool, "bool", arrow.FixedWidthTypes.Boolean},
		{"date", TypeDate, "date", arrow.FixedWidthTypes.Date32},
		{"timestamp", TypeTimestamp, "timestamp", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}
	for _, tc := range tests {
		got, err := ParseType(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseType(%q) = %v, %v", tc.in, got, err)
			continue
		}
		if got.String() != tc.canon {
			t.Errorf("%q.String() = %q", tc.in, got.String())
		}
		if back, err := ParseType(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %v, %v", tc.in, back, err)
		}
		if !arrow.TypeEqual(got.ArrowType(), tc.arrow) {
			t.Errorf("%q.ArrowType() = %v, want %v", tc.in, got.ArrowType(), tc.arrow)
		}
	}
	for _, bad := range []string{"", "text", "int", "float", "decimal", "decimal(0,0)", "decimal(39,2)", "decimal(5,6)",
		"decimal(5,-1)", "decimal(5)", "decimal(a,b)", "decimal(5,2", "boolean", "datetime", "int64 " + "x"} {
		if _, err := ParseType(bad); !errors.Is(err, ErrInvalidType) {
			t.Errorf("ParseType(%q): err = %v, want ErrInvalidType", bad, err)
		}
	}
	if Kind(42).String() != "Kind(42)" || (Type{Kind: 42}).Validate() == nil {
		t.Error("unknown kind accepted")
	}
	if (Type{Kind: KindInt64, Scale: 1}).Validate() == nil {
		t.Error("int64 with a scale accepted")
	}
}

func TestParseErrorMessage(t *testing.T) {
	err := &ParseError{File: "crm/customers.csv", Line: 3, Column: "id", Err: ErrDuplicateColumn}
	if got, want := err.Error(), `extract: crm/customers.csv:3: column "id": duplicate column name in header`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&ParseError{File: "a.csv", Err: ErrEmptyFile}).Error(), "extract: a.csv: empty file"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var pe *ParseError
	if !errors.As(error(err), &pe) || !errors.Is(err, ErrDuplicateColumn) {
		t.Error("errors.As/Is do not see through ParseError")
	}
}
