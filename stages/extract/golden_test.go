package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInferredSchemaGolden pins the schema inferred for the customers
// fixture (run `go test -update` after an intended change), and checks that
// its GBK twin reads identically.
func TestInferredSchemaGolden(t *testing.T) {
	res := mustRead(t, "testdata/customers.csv", CSVOptions{})
	var b strings.Builder
	b.WriteString("# inferred schema of testdata/customers.csv (go test -update rewrites this file)\n")
	for _, f := range res.schema.Fields() {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Type)
	}
	fmt.Fprintf(&b, "# rows read %d, written %d, rejected %d\n", res.stats.RowsRead, res.stats.RowsWritten, res.stats.RowsRejected)
	got := b.String()
	golden := filepath.Join("testdata", "expected", "customers.schema.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("inferred schema changed:\n got:\n%s\nwant:\n%s", got, want)
	}

	gbk := mustRead(t, "testdata/customers_gbk.csv", CSVOptions{})
	if gbk.stats.Encoding != "gb18030" || !sameResult(gbk.withoutBytes(), res.withoutBytes()) {
		t.Errorf("GBK twin differs:\n%+v\n%+v", gbk, res)
	}
}
