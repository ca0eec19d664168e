package anonymize

import "testing"

// TestDistributionsAddUp: per quasi-identifier, the before counts add up to
// the input rows and the after counts to the released rows; no input value
// held by fewer than k records is listed.
func TestDistributionsAddUp(t *testing.T) {
	rep, err := writeT(t, t.TempDir(), makeCustomers(1500, 31), customerPolicy(), customerClasses())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range rep.Columns {
		if !c.QuasiIdentifier {
			continue
		}
		d := c.Distribution
		if d == nil {
			t.Fatalf("%s: no distribution", c.Name)
		}
		seen++
		var before, after int64
		for _, v := range d.Values {
			before += v.Before
			after += v.After
			if v.Value != "(rare values)" && v.Before < int64(rep.Privacy.Model.K) {
				t.Errorf("%s: value held by %d < k records listed", c.Name, v.Before)
			}
		}
		if before != rep.RowsIn || after != rep.RowsWritten {
			t.Errorf("%s: before %d after %d, want %d and %d", c.Name, before, after, rep.RowsIn, rep.RowsWritten)
		}
		if d.DistinctAfter > d.DistinctBefore {
			t.Errorf("%s: %d distinct after > %d before", c.Name, d.DistinctAfter, d.DistinctBefore)
		}
	}
	if seen == 0 {
		t.Fatal("no quasi-identifiers")
	}
	for _, c := range []struct {
		v    string
		want float64
		ok   bool
	}{{"20-29", 24.5, true}, {"-5", -5, true}, {"30000-39999", 34999.5, true}, {"*", 0, false}, {"10****", 0, false}} {
		if m, ok := midpoint(c.v); ok != c.ok || m != c.want {
			t.Errorf("midpoint(%q) = %v %v", c.v, m, ok)
		}
	}
}
