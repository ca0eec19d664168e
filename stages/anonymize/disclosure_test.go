package anonymize

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/rules"
)

func writeT(t *testing.T, root string, rows []customer, pol Policy, classes map[string]ColumnClass) (*DatasetReport, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opened := 0
	return WriteDataset(context.Background(), DatasetRequest{Root: root, Table: pol.Table, Open: opener(mem, rows, 128, &opened),
		Policy: pol, Classes: classes, Tokenizer: keyA, Allocator: mem})
}

func colReport(rep *DatasetReport, name string) (ColumnReport, DisclosureColumn) {
	var c ColumnReport
	var d DisclosureColumn
	for _, x := range rep.Columns {
		if x.Name == name {
			c = x
		}
	}
	if rep.Disclosure != nil {
		for _, x := range rep.Disclosure.Columns {
			if x.Column == name {
				d = x
			}
		}
	}
	return c, d
}

// TestUnclassifiedColumnsAreWithheld: a column without class and policy is
// left out, listed as "withheld: unreviewed" with the way to release it; a
// raw release needs a reason, and is recorded.
func TestUnclassifiedColumnsAreWithheld(t *testing.T) {
	rows := makeCustomers(300, 21)
	root := t.TempDir()
	pol := Policy{Table: "people", Columns: map[string]Protection{"gender": {Method: MethodKeep, Reason: "two values, reviewed"}}}
	rep, err := writeT(t, root, rows, pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Withheld) != len(customerSchema.Fields())-1 || rep.ReleaseHint == "" {
		t.Fatalf("withheld %v, hint %q", rep.Withheld, rep.ReleaseHint)
	}
	if c, _ := colReport(rep, "phone"); c.Status != StatusWithheld || c.Type != "" {
		t.Errorf("phone: %+v", c)
	}
	if c, _ := colReport(rep, "gender"); c.Status != StatusReleased || c.Protection.Reason == "" {
		t.Errorf("gender: %+v", c)
	}
	if !rep.Disclosure.Passed {
		t.Fatalf("disclosure: %+v", rep.Disclosure)
	}
	// keep without a reason is refused.
	pol.Columns["gender"] = Protection{Method: MethodKeep}
	if _, err := writeT(t, root, rows, pol, nil); !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("keep without reason: %v", err)
	}
}

// TestDisclosureCheckBlocksPublication: a dataset whose released columns
// single people out, or hold identifiers, is not published; the previous
// dataset stays; the error names column and figure and no value.
func TestDisclosureCheckBlocksPublication(t *testing.T) {
	rows := makeCustomers(400, 22)
	root := t.TempDir()
	good := Policy{Table: "people", Columns: map[string]Protection{"gender": {Method: MethodKeep, Reason: "reviewed"}}}
	if _, err := writeT(t, root, rows, good, nil); err != nil {
		t.Fatal(err)
	}
	before, err := ReadDatasetReport(filepath.Join(root, "people"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, col, figure string
		pol               Policy
		classes           map[string]ColumnClass
	}{
		{"unique amounts released raw", "income", "classes smaller than k=5",
			Policy{Table: "people", Columns: map[string]Protection{"income": {Method: MethodKeep, Reason: "mistake"}}}, nil},
		{"phones under a business header", "note2", "",
			Policy{Table: "people", Unclassified: UnclassifiedPass}, nil},
		{"a direct identifier released raw", "email", "equal a direct identifier",
			Policy{Table: "people", Columns: map[string]Protection{"email": {Method: MethodKeep, Reason: "mistake", Insensitive: true}}},
			map[string]ColumnClass{"email": {ID: "email", Category: rules.DirectIdentifier}}},
		{"a 3+4 phone mask (policy asks for it)", "phone", "",
			Policy{Table: "people", Columns: map[string]Protection{"phone": {Method: MethodMask, KeepPrefix: 3, KeepSuffix: 4}}},
			map[string]ColumnClass{"phone": {ID: "phone", Category: rules.DirectIdentifier}}},
		{"global tokens", "customer_id", "classes smaller than k=5",
			Policy{Table: "people", PseudonymScope: ScopeGlobal, Columns: map[string]Protection{"customer_id": {Method: MethodPseudonym}}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := writeT(t, root, rows, c.pol, c.classes)
			if err == nil {
				t.Fatal("published")
			}
			if c.col == "note2" {
				if !errors.Is(err, ErrDisclosure) {
					t.Fatalf("err = %v", err)
				}
			} else if !strings.Contains(err.Error(), `"`+c.col+`"`) || !strings.Contains(err.Error(), c.figure) {
				t.Fatalf("error does not name %s and %q: %v", c.col, c.figure, err)
			}
			for _, r := range rows[:50] {
				for _, v := range []string{r.phone, r.email, r.idNumber, r.id, r.name} {
					if strings.Contains(err.Error(), v) {
						t.Fatalf("error holds a value: %v", err)
					}
				}
			}
			after, err := ReadDatasetReport(filepath.Join(root, "people"))
			if err != nil || after.Created != before.Created || after.Files[0].SHA256 != before.Files[0].SHA256 {
				t.Fatalf("previous dataset replaced: %v", err)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 1 {
				t.Fatalf("root holds %d entries", len(entries))
			}
		})
	}
}

// TestMaskPresets: class defaults that keep too much are capped, a policy
// asking for too much is refused.
func TestMaskPresets(t *testing.T) {
	for _, c := range []struct {
		class    string
		pre, suf int
		want     [2]int
	}{
		{"phone", 3, 4, [2]int{3, 0}},
		{"cn_mobile", 0, 4, [2]int{0, 4}},
		{"bank_card", 6, 4, [2]int{0, 4}},
		{"iban", 4, 4, [2]int{0, 4}},
		{"postal_code", 3, 0, [2]int{3, 0}},
	} {
		p := Protection{Method: MethodMask, KeepPrefix: c.pre, KeepSuffix: c.suf}
		capMask(c.class, &p)
		if [2]int{p.KeepPrefix, p.KeepSuffix} != c.want {
			t.Errorf("%s %d+%d → %d+%d, want %v", c.class, c.pre, c.suf, p.KeepPrefix, p.KeepSuffix, c.want)
		}
		if msg := maskTooRevealing(c.class, p); msg != "" {
			t.Errorf("%s: capped mask still refused: %s", c.class, msg)
		}
	}
	if maskTooRevealing("phone", Protection{Method: MethodMask, KeepPrefix: 3, KeepSuffix: 4}) == "" ||
		maskTooRevealing("bank_card", Protection{Method: MethodMask, KeepSuffix: 6}) == "" {
		t.Error("too revealing masks accepted")
	}
}

// TestPinnedLevelKeepsGrain: with min_level = max_level the age grain is the
// same (10-year bands) on a table and a six times larger one.
func TestPinnedLevelKeepsGrain(t *testing.T) {
	two := 2
	pol := func() Policy {
		p := customerPolicy()
		p.Columns = map[string]Protection{"customer_id": {Method: MethodPseudonym},
			"age": {Method: MethodGeneralize, Hierarchy: AgeBands(), MinLevel: &two, MaxLevel: &two}}
		p.Privacy.QuasiIdentifiers = []string{"age", "gender", "postal", "city"}
		return p
	}
	classes := map[string]ColumnClass{"age": {ID: "age", Category: rules.QuasiIdentifier}}
	var grains []string
	for _, n := range []int{1000, 6000} {
		root := t.TempDir()
		rep, err := writeT(t, root, makeCustomers(n, 23), pol(), classes)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := colReport(rep, "age")
		if c.Level == nil || *c.Level != 2 {
			t.Fatalf("%d rows: age level %v, want pinned 2", n, c.Level)
		}
		for _, lc := range rep.Privacy.Transformation {
			if lc.Column == "age" && lc.Level != 2 {
				t.Fatalf("%d rows: transformation says level %d", n, lc.Level)
			}
		}
		grains = append(grains, bandWidths(t, filepath.Join(root, "customers", "*.parquet")))
		if !rep.Disclosure.Passed {
			t.Fatalf("disclosure: %+v", rep.Disclosure.Failures)
		}
	}
	if grains[0] != grains[1] {
		t.Fatal("grain changed")
	}
}

// TestNullIsNotSuppressed: NULL in a quasi-identifier stays NULL in the
// output, "*" only means generalized away; suppression counts per value are
// recorded.
func TestNullIsNotSuppressed(t *testing.T) {
	rows := makeCustomers(1500, 24)
	for i := 0; i < len(rows); i += 7 {
		rows[i].gender = ""
	}
	rep, err := writeT(t, t.TempDir(), rows, customerPolicy(), customerClasses())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Disclosure.Passed || rep.Disclosure.MinClass < 5 || len(rep.Disclosure.ClassSizes) == 0 {
		t.Fatalf("disclosure: %+v", rep.Disclosure)
	}
	var sup int64
	for _, c := range rep.Columns {
		for _, v := range c.SuppressedByValue {
			sup += v.Suppressed
		}
	}
	if rep.RowsSuppressed > 0 && sup == 0 {
		t.Error("suppressed records not broken down by value")
	}
}

// bandWidths reads the released age values with DuckDB and returns the
// set of band widths ("10" for 20-29, 30-39, ...).
func bandWidths(t *testing.T, glob string) string {
	t.Helper()
	q, err := duckDB(t).Query(fmt.Sprintf(`SELECT DISTINCT age FROM read_parquet('%s') `, glob))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	widths := map[int]bool{}
	for q.Next() {
		var v string
		if err := q.Scan(&v); err != nil {
			t.Fatal(err)
		}
		var lo, hi int
		if _, err := fmt.Sscanf(v, "%d-%d", &lo, &hi); err == nil {
			widths[hi-lo+1] = true
		} else {
			t.Logf("age value %q", v)
		}
	}
	if len(widths) != 1 {
		t.Fatalf("age bands of %d widths: %v", len(widths), widths)
	}
	for w := range widths {
		return fmt.Sprint(w)
	}
	return ""
}
