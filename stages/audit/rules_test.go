package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-dg/vigil/rules/detections"
)

func TestBuiltinRulesPrepare(t *testing.T) {
	rules, err := LoadRules(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 12 {
		t.Fatalf("got %d rules", len(rules))
	}
}

func TestBuiltinRuleExamples(t *testing.T) {
	rules, err := detections.Builtin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if err := RunExamples(context.Background(), []detections.Rule{r}); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	err := redact(errors.New(`Conversion Error: Could not convert string 'C0001 张三' to INT32 in "events"`))
	if err.Error() != `Conversion Error: Could not convert string '…' to INT32 in "events"` {
		t.Errorf("redacted = %q", err)
	}
}
