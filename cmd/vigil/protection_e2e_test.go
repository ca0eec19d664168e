package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/rules"
)

// planted is the red-team's set of direct identifiers, each with the forms
// an analyst could search for (raw and normalized).
type planted struct {
	values []string // as written in the source files
	forms  map[string]bool
}

func (p *planted) add(raw string, forms ...string) string {
	p.values = append(p.values, raw)
	for _, f := range append(forms, raw) {
		if len([]rune(f)) >= 2 {
			p.forms[f] = true
		}
	}
	return raw
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// redTeamData writes CSV tables that hide direct identifiers behind
// unhelpful or misleading headers, in a 3-row table and inside free text.
func redTeamData(t *testing.T, dir string) *planted {
	t.Helper()
	r := rand.New(rand.NewPCG(9, 9))
	p := &planted{forms: map[string]bool{}}
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
	phone := func() string {
		n := fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), r.IntN(100000000))
		switch r.IntN(4) {
		case 0:
			return p.add(n, n)
		case 1:
			return p.add(n[:3]+"-"+n[3:7]+"-"+n[7:], n)
		case 2:
			return p.add("+86 "+n[:3]+" "+n[3:7]+" "+n[7:], n)
		}
		return p.add(n[:3]+" "+n[3:7]+" "+n[7:], n)
	}
	resident := func() string {
		body := fmt.Sprintf("%06d%04d%02d%02d%03d", 110101+r.IntN(10), 1950+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000))
		chk, _ := rules.GB11643CheckChar(body)
		id := body + string(chk)
		return p.add(id, strings.ToLower(id))
	}
	email := func() string {
		e := fmt.Sprintf("%s.%d@example-mail.cn", []string{"Wang", "li", "ZHANG", "liu"}[r.IntN(4)], r.IntN(1_000_000))
		return p.add(e, strings.ToLower(e))
	}
	name := func() string {
		return p.add(string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))]) + string(given[r.IntN(len(given))]))
	}
	card := func() string {
		body := fmt.Sprintf("62%013d", r.Int64N(1e13))
		d, _ := rules.LuhnCheckDigit(body)
		c := body + string(d)
		return p.add(c[:4]+" "+c[4:8]+" "+c[8:12]+" "+c[12:], c)
	}
	write := func(name, header string, rows int, row func() string) {
		var b strings.Builder
		b.WriteString(header + "\n")
		for i := 0; i < rows; i++ {
			b.WriteString(row() + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	// 200 rows × 5 identifiers under c1..c5.
	write("codes.csv", "c1,c2,c3,c4,c5", 200, func() string {
		return strings.Join([]string{q(phone()), resident(), email(), name(), q(card())}, ",")
	})
	// Business-looking headers, English and Chinese, and free text.
	write("orders.csv", "order_no,product_code,remark,订单编号,备注,amount", 60, func() string {
		return strings.Join([]string{q(phone()), resident(), q(name() + " " + phone()), email(),
			q("客户" + name() + "来电，手机" + phone() + "，邮箱" + email()), fmt.Sprint(r.IntN(10000))}, ",")
	})
	// A 3-row table.
	write("tiny.csv", "c1,c2,c3,c4", 3, func() string {
		return strings.Join([]string{q(phone()), resident(), email(), name()}, ",")
	})
	return p
}

func redTeamConfig(extra string) string {
	return `format: 1
home: home
timezone: Asia/Shanghai
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      codes: {file: codes.csv}
      orders: {file: orders.csv}
      tiny: {file: tiny.csv}
` + extra + `jobs:
  nightly:
    stages: [snapshot, classify, anonymize]
`
}

// findPlanted returns how many planted forms occur in text.
func (p *planted) findIn(text string) []string {
	var hits []string
	norm := digitsOnly(text)
	lower := strings.ToLower(text)
	for f := range p.forms {
		if strings.Contains(text, f) || strings.Contains(lower, strings.ToLower(f)) {
			hits = append(hits, f)
			continue
		}
		if d := digitsOnly(f); len(d) >= 11 && d == f && strings.Contains(norm, d) {
			hits = append(hits, f)
		}
	}
	return hits
}

// TestRedTeamPlantedIdentifiersNeverReachAnalysts plants over 1,000 direct
// identifiers (phones in four written forms, resident IDs, e-mails, names,
// cards) under c1..c5, order_no, product_code, remark, 订单编号 and 备注
// headers, in a 3-row table and inside free text, and queries every dataset
// through vigil query: none of them, raw or normalized, comes out, and none
// is in a column name, manifest, classification file, log or ledger.
//
// What it exercises does not depend on the classifier (issue 11): a column
// the classifier misses is withheld ("withheld: unreviewed"), and a column a
// policy releases raw by mistake is caught by the disclosure check (the
// second half). Whether the identifiers come out masked or tokenized rather
// than withheld is the classifier's part.
func TestRedTeamPlantedIdentifiersNeverReachAnalysts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	p := redTeamData(t, data)
	if len(p.values) < 1000 {
		t.Fatalf("planted only %d values", len(p.values))
	}
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(redTeamConfig("")), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "keys", "keyfile", "master.key")
	mustRun(t, dir, nil, "keys", "init")
	run := vigil(t, dir, nil, "run", "nightly")
	logs := run.stdout + run.stderr

	// Every dataset, through vigil query.
	var out strings.Builder
	for _, table := range []string{"codes", "orders", "tiny"} {
		if _, err := os.Stat(filepath.Join(dir, "home", "datasets", table)); err != nil {
			continue // not published: nothing to find
		}
		r := mustRun(t, dir, nil, "query", "--format", "csv", "SELECT * FROM "+table)
		out.WriteString(r.stdout)
	}
	if hits := p.findIn(out.String()); len(hits) > 0 {
		t.Fatalf("vigil query returned %d planted identifiers (e.g. %d characters long)", len(hits), len([]rune(hits[0])))
	}
	if hits := p.findIn(logs); len(hits) > 0 {
		t.Fatalf("the run's output holds %d planted identifiers", len(hits))
	}
	// Manifests, classification files, _vigil.json, the ledger: every
	// plaintext file under the home (the encrypted Parquet is not text).
	scanHome(t, filepath.Join(dir, "home"), p)

	// A policy that releases c1 (phones) and order_no raw by mistake: the
	// disclosure check refuses to publish, naming the column and a figure.
	cfg := redTeamConfig(`protect:
  tables:
    codes:
      columns:
        c1: {method: keep, reason: "red team: released by mistake"}
    tiny:
      columns:
        c1: {method: keep, reason: "red team: released by mistake"}
`)
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := vigil(t, dir, nil, "run", "nightly")
	if bad.code == 0 {
		t.Fatalf("releasing phones raw was published: %s", bad)
	}
	if !strings.Contains(bad.stderr+bad.stdout, `column "c1"`) || !strings.Contains(bad.stderr+bad.stdout, "disclosure check") {
		t.Fatalf("the failure does not name the column: %s", bad)
	}
	if hits := p.findIn(bad.stdout + bad.stderr); len(hits) > 0 {
		t.Fatalf("the failure message holds %d planted identifiers", len(hits))
	}
	out.Reset()
	for _, table := range []string{"codes", "tiny"} {
		r := vigil(t, dir, nil, "query", "--format", "csv", "SELECT * FROM "+table)
		out.WriteString(r.stdout)
	}
	if hits := p.findIn(out.String()); len(hits) > 0 {
		t.Fatalf("after the failed run vigil query returned %d planted identifiers", len(hits))
	}
	scanHome(t, filepath.Join(dir, "home"), p)
}

// scanHome fails if a planted identifier is in a text file under home.
func scanHome(t *testing.T, home string, p *planted) {
	t.Helper()
	_ = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".parquet") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return nil
		}
		if hits := p.findIn(string(b)); len(hits) > 0 {
			rel, _ := filepath.Rel(home, path)
			t.Errorf("%s holds %d planted identifiers", rel, len(hits))
		}
		return nil
	})
}

// TestKilledVerifyAndAnonymizeLeaveNoPlaintext kills "vigil run verify" and
// "vigil run nightly" (anonymize) with SIGKILL at random points, one in each
// of kills equal slices of the run's length so that every phase is hit;
// after the next Vigil command (vigil status) no restore-drill directory is
// left and no file under the home or the temporary directory holds a
// generated value. VIGIL_KILLS sets the number of kills per job (default 6;
// bench/killtest is the long version).
func TestKilledVerifyAndAnonymizeLeaveNoPlaintext(t *testing.T) {
	t.Parallel()
	kills := 6
	if testing.Short() {
		kills = 3
	}
	if n, err := strconv.Atoi(os.Getenv("VIGIL_KILLS")); err == nil && n > 0 {
		kills = n
	}
	dir := setupDir(t, 3000, false, "  nightly:\n    stages: [snapshot, classify, anonymize]\n  verify:\n    stages: [verify]\n")
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp}
	mustRun(t, dir, env, "run", "nightly")
	values := personalValues(t, filepath.Join(dir, "data"))
	var sample []string
	for v := range values {
		if len(sample) == 200 {
			break
		}
		sample = append(sample, v)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for _, job := range []string{"verify", "nightly"} {
		start := time.Now()
		mustRun(t, dir, env, "run", job)
		full := time.Since(start)
		for i := 0; i < kills; i++ {
			cmd := exec.Command(vigilBin, "run", job)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slice := int64(full) / int64(kills)
			time.Sleep(time.Duration(int64(i)*slice + r.Int64N(slice)))
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			vigil(t, dir, env, "status") // the next Vigil command
			left, _ := filepath.Glob(filepath.Join(dir, "home", "tmp", "vigil-drill-*"))
			if len(left) > 0 {
				t.Fatalf("%s kill %d: restore-drill directory left after the next command: %v", job, i, left)
			}
			for _, root := range []string{filepath.Join(dir, "home"), tmp} {
				_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return nil
					}
					b, err := os.ReadFile(path)
					if err != nil {
						return nil
					}
					for _, v := range sample {
						if bytes.Contains(b, []byte(v)) {
							t.Fatalf("%s kill %d: %s holds a generated value", job, i, path)
						}
					}
					return nil
				})
			}
		}
	}
}
