package classify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
)

// classifyRows classifies one table of string columns.
func classifyRows(t *testing.T, cols []string, data [][]string, opts classify.Options) *classify.TableResult {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr := stringTable(t, mem, cols, transpose(data...))
	defer rr.Release()
	opts.Seed = 1
	res, err := classify.Table(context.Background(), "t", rr, defaultSet(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var (
	cnNames   = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐明", "孙丽"}
	usPhones  = []string{"(212) 555-0123", "415.555.0143 x12", "001-617-555-0170", "+1 650 253 0000", "(617) 555-0112", "212-555-0199"}
	idNumbers = []string{withCheck("11010519491231002"), withCheck("44030619850612301"), withCheck("32010219930215123")}
)

// withCheck appends the GB 11643 check character to a 17-digit body.
func withCheck(body string) string {
	c, _ := rules.GB11643CheckChar(body)
	return body + string(c)
}

func cycle(n int, vals []string) []string {
	return column(n, func(i int) string { return vals[i%len(vals)] })
}

// TestValueEvidenceBeatsBusinessHeaders: valid mobiles under order_no, names
// under order_ref, "name phone" remarks: the header may flag the column for
// review but never clears it (issue 9).
func TestValueEvidenceBeatsBusinessHeaders(t *testing.T) {
	n := 1000
	namePhone := column(n, func(i int) string { return cnNames[i%len(cnNames)] + " " + mobile(i) })
	orderRef := column(n, func(i int) string { return cnNames[i%len(cnNames)] })
	res := classifyRows(t, []string{"order_no", "product_code", "remark", "order_ref"},
		[][]string{column(n, mobile), column(n, mobile), namePhone, orderRef}, classify.Options{})
	want := map[string]string{"order_no": "phone", "product_code": "phone", "remark": "free_text_pii", "order_ref": "person_name"}
	for _, c := range res.Columns {
		if c.Class != want[c.Name] {
			t.Errorf("%s: %s at %.2f, want %s: %v", c.Name, c.Class, c.Confidence, want[c.Name], c.Evidence)
		}
	}
}

// TestTinyAndMeaninglessTables: three rows under c1..c5 are classified from
// their values, and "none" there is never confident.
func TestTinyAndMeaninglessTables(t *testing.T) {
	res := classifyRows(t, []string{"c1", "c2", "c3", "c4", "c5"}, [][]string{
		{"13812345678", "13912345678", "15012345678"},
		idNumbers,
		{"zhang.wei@example.com", "li.na@example.cn", "wang@example.org"},
		{"张伟", "王芳", "李娜"},
		{"3", "7", "1"},
	}, classify.Options{})
	want := []string{"phone", "cn_resident_id", "email", "person_name", "none"}
	for i, c := range res.Columns {
		if c.Class != want[i] {
			t.Errorf("%s: %s, want %s: %v", c.Name, c.Class, want[i], c.Evidence)
		}
		if c.Class == "none" && (c.Confidence > 0.7 || !c.Review) {
			t.Errorf("%s: none at %.2f, review %v: a 3-row table under a generated header is no proof", c.Name, c.Confidence, c.Review)
		}
	}
}

// TestSemanticsBeatSurface: booleans, card brands and calling codes are not
// e-mails, cards or phones, whatever their headers say.
func TestSemanticsBeatSurface(t *testing.T) {
	n := 300
	res := classifyRows(t,
		[]string{"HasOptedOutOfEmail", "IsEmailBounced", "EmailEncodingKey", "HasOptedOutOfFax", "CCType", "TelephoneCountryCode", "card_brand"},
		[][]string{
			cycle(n, []string{"true", "false"}),
			cycle(n, []string{"false", "false", "true"}),
			cycle(n, []string{"UTF-8", "ISO-8859-1"}),
			cycle(n, []string{"0", "1"}),
			cycle(n, []string{"Visa", "MasterCard", "American Express", "JCB"}),
			cycle(n, []string{"1", "44", "86", "351", "299"}),
			cycle(n, []string{"visa", "jcb", "unionpay"}),
		}, classify.Options{})
	for _, c := range res.Columns {
		if c.Class != "none" {
			t.Errorf("%s: %s at %.2f, want none: %v", c.Name, c.Class, c.Confidence, c.Evidence)
		}
	}
}

// TestInternationalValues: Western names, national phone forms, national IDs,
// URLs, countries and coordinates are found from their values alone.
func TestInternationalValues(t *testing.T) {
	given := []string{"Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard"}
	sur := []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis", "Rodríguez", "Martinez", "Hernández", "Lopez"}
	full := column(240, func(i int) string {
		switch i % 3 {
		case 0:
			return given[i%12] + " " + sur[(i/12)%12]
		case 1:
			return sur[i%12] + ", " + given[(i/7)%12]
		}
		return "Dr. " + given[(i/5)%12] + " " + sur[i%12] + " Jr."
	})
	ssn := column(240, func(i int) string { return fmt.Sprintf("%03d-%02d-%04d", 100+i, 10+i%80, 1000+i) })
	res := classifyRows(t, []string{"col1", "col2", "col3", "col4", "col5", "col6", "col7", "col8"}, [][]string{
		cycle(240, given), cycle(240, sur), full, cycle(240, usPhones), ssn,
		cycle(240, []string{"https://www.example.com/u/1", "http://example.org/p?q=1", "www.example.net"}),
		cycle(240, []string{"Germany", "中国", "FR", "Brasil", "日本", "United States", "España", "ITA", "Россия", "Canada", "India", "Kenya", "Chile"}),
		column(240, func(i int) string { return fmt.Sprintf("%.6f, %.6f", 30+float64(i)/97, -70-float64(i)/89) }),
	}, classify.Options{})
	want := []string{"person_name", "person_name", "person_name", "phone", "national_id", "url", "country", "geolocation"}
	for i, c := range res.Columns {
		if c.Class != want[i] {
			t.Errorf("%s: %s at %.2f, want %s: %v", c.Name, c.Class, c.Confidence, want[i], c.Evidence)
		}
	}
}

// TestValueOnlyOption ignores even a header that names a class. "none" from
// values alone is flagged for review when the values are many and distinct
// (a class only a header reveals may hide there); a small enumeration is
// "none" with the confidence the evaluation corpus measured for it.
func TestValueOnlyOption(t *testing.T) {
	words := column(50, func(i int) string { return fmt.Sprintf("lot %d of %d, shelf %c", i*7, 400+i%5, 'a'+i%26) })
	res := classifyRows(t, []string{"phone", "notes", "mobile"}, [][]string{cycle(50, []string{"3", "7"}), cycle(50, []string{"ok", "fine"}), words},
		classify.Options{ValueOnly: true})
	for i, c := range res.Columns {
		wantReview := i != 1 // digits could be key values
		if c.Class != "none" || c.Review != wantReview {
			t.Errorf("%s: %s at %.2f review %v, want none review %v: %v", c.Name, c.Class, c.Confidence, c.Review, wantReview, c.Evidence)
		}
	}
	if res.Columns[2].Confidence >= res.Columns[1].Confidence {
		t.Errorf("many distinct unknown values (%.2f) should be less sure than an enumeration (%.2f)", res.Columns[2].Confidence, res.Columns[1].Confidence)
	}
}

func TestMeaninglessHeader(t *testing.T) {
	for h, want := range map[string]bool{"col1": true, "c2": true, "F3": true, "Unnamed: 0": true, "field_12": true, "A": true,
		"": true, "7": true, "列3": true, "id": false, "phone": false, "customer_id": false, "column_name": false, "c_name": false} {
		if got := classify.MeaninglessHeader(h); got != want {
			t.Errorf("MeaninglessHeader(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestValueOnlyUnknownProperNames: capitalised words that no list knows
// (towns, companies, people the dictionaries lack) are "none" at a
// confidence below an ordinary unrecognised column's, and for review.
func TestValueOnlyUnknownProperNames(t *testing.T) {
	a := []string{"Quornvale", "Wexcombe", "Trellickford", "Osgrovia", "Marrowbyne", "Hathelstone", "Zennock", "Ulverbridge"}
	b := []string{"Quayside", "Wharfage", "Nookside", "Ridgeback", "Spinneyfield", "Hollowmere"}
	towns := column(60, func(i int) string { return a[i%8] + " " + b[(i/8)%6] })
	codes := column(60, func(i int) string { return fmt.Sprintf("lot %d of %d, shelf %c", i*7, 400+i%5, 'a'+i%26) })
	res := classifyRows(t, []string{"col1", "col2"}, [][]string{towns, codes}, classify.Options{})
	named, other := res.Columns[0], res.Columns[1]
	if named.Class != "none" || !named.Review || named.Confidence >= other.Confidence {
		t.Errorf("unknown proper names: %s at %.2f review %v (other column %.2f): %v", named.Class, named.Confidence, named.Review, other.Confidence, named.Evidence)
	}
}
