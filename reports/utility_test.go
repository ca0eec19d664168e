package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestDatasetUtilityDetail: a dataset row with a class-size histogram and
// suppression by value shows both in HTML and Markdown (escaped).
func TestDatasetUtilityDetail(t *testing.T) {
	in := fixtureInput()
	if len(in.Datasets) == 0 {
		t.Fatal("fixture has no datasets")
	}
	in.Datasets[0].ClassSizes = []ClassSizeRow{{From: 5, To: 9, Classes: 3, Records: 21}, {From: 100, Classes: 1, Records: 4321}}
	in.Datasets[0].SuppressedBy = []SuppressionRow{{Column: "省份", Value: "<青海>", Records: 158, Suppressed: 12, Share: 12.0 / 158}}
	for _, r := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   []string
	}{
		{"html", func(b *bytes.Buffer) error { return RenderHTML(b, in) }, []string{"rows by class size", "5–9: 21", "100+: 4,321", "&lt;青海&gt;", "(12 / 158)"}},
		{"markdown", func(b *bytes.Buffer) error { return RenderMarkdown(b, in) }, []string{"rows by class size", "5–9: 21", "suppression by value", "(12 / 158)"}},
	} {
		var b bytes.Buffer
		if err := r.render(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range r.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q", r.name, w)
			}
		}
	}
}
