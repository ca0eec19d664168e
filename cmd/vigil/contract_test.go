package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/contract")

// contractFixture is one demo home shared by the contract tests, plus a home
// whose keyset is under a passphrase (for the wrong-passphrase cases).
type contractFixture struct {
	dir     string // parent of everything
	demo    string // the demo directory
	cfg     string // demo vigil.yaml
	pass    string // config whose keyset needs VIGIL_TEST_PASS
	demoOut result // what "vigil demo --json" printed
	log     string // one of the demo's access-log files
	from    string // the demo logs' period
	to      string
	err     error
}

var (
	fixtureOnce sync.Once
	fixture     contractFixture
)

// sharedDemo builds the shared fixture once per test binary.
func sharedDemo(t *testing.T) *contractFixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-contract-")
		if err != nil {
			fixture.err = err
			return
		}
		fixture.dir = dir
		d, err := tryCopyDemo(smallDemoSpec, dir)
		if err != nil {
			fixture.err = err
			return
		}
		fixture.demo, fixture.cfg, fixture.demoOut = d.Demo, d.Config, d.Out
		var gt struct{ Start, End string }
		b, err := os.ReadFile(filepath.Join(fixture.demo, "data", "logs", "access_ground_truth.json"))
		if err == nil {
			err = json.Unmarshal(b, &gt)
		}
		if err != nil {
			fixture.err = err
			return
		}
		fixture.from, fixture.to = gt.Start, gt.End
		logs, _ := filepath.Glob(filepath.Join(fixture.demo, "data", "logs", "*.jsonl"))
		if len(logs) == 0 {
			fixture.err = fmt.Errorf("demo wrote no access logs")
			return
		}
		fixture.log = logs[0]
		// A directory backup target, so that vigil backup has somewhere to copy.
		cfgText := mustReadString(fixture.cfg) + "\nbackup:\n  targets:\n    usb: {type: dir, path: " + filepath.Join(dir, "backup") + "}\n"
		if err := os.WriteFile(fixture.cfg, []byte(cfgText), 0o600); err != nil {
			fixture.err = err
			return
		}
		pdir := filepath.Join(dir, "pass")
		if err := os.MkdirAll(pdir, 0o700); err != nil {
			fixture.err = err
			return
		}
		fixture.pass = filepath.Join(pdir, "vigil.yaml")
		cfg := strings.Replace(mustReadString(fixture.cfg), "key_file: master.key", "passphrase_env: VIGIL_TEST_PASS", 1)
		cfg = strings.ReplaceAll(cfg, "dir: data", "dir: "+filepath.Join(fixture.demo, "data"))
		cfg = strings.ReplaceAll(cfg, "path: data/", "path: "+filepath.Join(fixture.demo, "data")+"/")
		if err := os.WriteFile(fixture.pass, []byte(cfg), 0o600); err != nil {
			fixture.err = err
			return
		}
		if r := vigil(t, pdir, []string{"VIGIL_TEST_PASS=" + contractPass}, "-c", fixture.pass, "keys", "init"); r.code != 0 {
			fixture.err = fmt.Errorf("keys init: %s", r)
			return
		}
		if r := vigil(t, pdir, []string{"VIGIL_TEST_PASS=" + contractPass}, "-c", fixture.pass, "run", "nightly"); r.code != 0 {
			fixture.err = fmt.Errorf("run nightly: %s", r)
		}
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return &fixture
}

// withoutConfig drops a leading "-c FILE" from a row's arguments.
func withoutConfig(args []string) []string {
	if len(args) > 1 && args[0] == "-c" {
		return args[2:]
	}
	return args
}

func mustReadString(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// contractRow describes one command for the contract test.
type contractRow struct {
	// success is the command line (after the command path) of a run that
	// succeeds on the shared demo; $TMP, $LOG, $FROM and $TO are replaced.
	success []string
	// noConfig: the command does not read the configuration.
	noConfig bool
	// keys: the command opens the keyset.
	keys bool
	// code is the expected exit code of the success run (default 0).
	code int
	// skip explains why a command is outside the contract.
	skip string
}

// contractRows has a row for every leaf command. A new command without a row
// fails TestCLIContract: add one.
var contractRows = map[string]contractRow{
	"vigil init":                   {success: []string{"-c", "$TMP/new.yaml"}, noConfig: true},
	"vigil config validate":        {},
	"vigil config reference":       {noConfig: true},
	"vigil keys init":              {success: []string{"-c", "$TMP/k/vigil.yaml"}},
	"vigil keys rotate":            {success: []string{"-c", "$TMP/k/vigil.yaml", "manifest"}, keys: true},
	"vigil keys info":              {keys: true},
	"vigil keys keyfile":           {success: []string{"$TMP/extra.key"}, noConfig: true},
	"vigil demo":                   {noConfig: true}, // its success run builds the fixture
	"vigil demo generate":          {success: []string{"--rows", "50", "--out", "$TMP/gen"}, noConfig: true},
	"vigil run":                    {success: []string{"verify"}, keys: true},
	"vigil status":                 {},
	"vigil schedule":               {success: []string{"--once"}},
	"vigil query":                  {success: []string{"SELECT count(*) AS n FROM customers"}},
	"vigil snapshots list":         {},
	"vigil snapshots prune":        {success: []string{"staff", "--keep", "5"}},
	"vigil snapshots rewrap":       {success: []string{"--all"}, keys: true},
	"vigil snapshots duckdb-sql":   {success: []string{"customers/latest", "--out", "$TMP/c.sql"}, keys: true},
	"vigil restore":                {success: []string{"staff/latest", "--to", "$TMP/restored", "--format", "csv"}, keys: true},
	"vigil verify":                 {keys: true},
	"vigil classify":               {success: []string{"--cached"}},
	"vigil rules list":             {noConfig: true},
	"vigil rules test":             {noConfig: true},
	"vigil anonymize":              {success: []string{"--input", "$TMP/small.csv", "--qi", "sex", "--hierarchy", "sex=$TMP/h_sex.csv", "--k", "2"}, noConfig: true},
	"vigil audit":                  {success: []string{"--from", "$FROM", "--to", "$TO"}, keys: true},
	"vigil version":                {noConfig: true},
	"vigil completion bash":        {skip: "cobra's shell completion script"},
	"vigil completion fish":        {skip: "cobra's shell completion script"},
	"vigil completion powershell":  {skip: "cobra's shell completion script"},
	"vigil completion zsh":         {skip: "cobra's shell completion script"},
	"vigil help":                   {skip: "cobra's help"},
	"vigil backup":                 {keys: true},
	"vigil erase":                  {success: []string{"--list"}, keys: true},
	"vigil forget":                 {success: []string{"--keep-last", "5", "--dry-run"}, keys: true},
	"vigil findings list":          {},
	"vigil findings show":          {skip: "needs a case id of the run; TestCasesRecordsAndVerifyThroughCLI"},
	"vigil findings note":          {skip: "needs a case id of the run; TestCasesRecordsAndVerifyThroughCLI"},
	"vigil findings set-state":     {skip: "needs a case id of the run; TestCasesRecordsAndVerifyThroughCLI"},
	"vigil report verify":          {skip: "needs the report folder of the run; TestCasesRecordsAndVerifyThroughCLI"},
	"vigil keys list":              {keys: true},
	"vigil keys change-passphrase": {skip: "changes the shared keyset; TestKeyCustody"},
	"vigil keys export":            {skip: "needs an age recipient; TestKeyCustody"},
	"vigil keys import":            {skip: "needs an escrow file; TestKeyCustody"},
	"vigil keys retire":            {skip: "changes the shared keyset; TestKeyCustody"},
	"vigil logs check":             {success: []string{"$LOG"}, noConfig: true},
	"vigil rejects":                {success: []string{"customers"}, keys: true},
	"vigil snapshots reindex":      {keys: true},
}

// leafCommands lists every runnable command path and every command that
// groups subcommands.
func leafCommands() (leaves, groups []string) {
	root := newRoot(&globals{stdout: io.Discard, stderr: io.Discard})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			groups = append(groups, c.CommandPath())
			for _, s := range c.Commands() {
				walk(s)
			}
			if c.RunE == nil || isGroupRunE(c) {
				return
			}
		}
		leaves = append(leaves, c.CommandPath())
	}
	walk(root)
	sort.Strings(leaves)
	return leaves, groups
}

// isGroupRunE reports whether c only groups subcommands.
func isGroupRunE(c *cobra.Command) bool {
	return fmt.Sprintf("%p", c.RunE) == fmt.Sprintf("%p", groupRunE)
}

// TestCLIContract runs every command for success, misuse, a missing config
// and a wrong passphrase, and every command group with an unknown
// subcommand, checking the exit code and that --json gives exactly one JSON
// document, with snake_case keys and the golden schema.
func TestCLIContract(t *testing.T) {
	t.Parallel()
	f := sharedDemo(t)
	tmp := t.TempDir()
	mustWrite(t, filepath.Join(tmp, "small.csv"), "sex,age\nm,30\nm,31\nf,40\nf,41\n")
	mustWrite(t, filepath.Join(tmp, "h_sex.csv"), "m;*\nf;*\n")
	mustWrite(t, filepath.Join(tmp, "k", "vigil.yaml"), "format: 1\nhome: home\nkeys: {key_file: k.key}\nsources: {}\njobs: {verify: {stages: [verify]}}\n")
	mustRun(t, filepath.Join(tmp, "k"), nil, "keys", "keyfile", "k.key")
	expand := func(args []string) []string {
		out := make([]string, len(args))
		for i, a := range args {
			a = strings.ReplaceAll(a, "$TMP", tmp)
			a = strings.ReplaceAll(a, "$LOG", f.log)
			a = strings.ReplaceAll(a, "$FROM", f.from)
			out[i] = strings.ReplaceAll(a, "$TO", f.to)
		}
		return out
	}
	t.Cleanup(func() {
		for name := range processExits {
			if _, ok := processExitsRun.Load(name); !ok && !t.Failed() && !strings.Contains(flag.Lookup("test.run").Value.String(), "/") {
				t.Errorf("processExits names %s, which did not run", name)
			}
		}
	})
	leaves, groups := leafCommands()
	for _, path := range leaves {
		row, ok := contractRows[path]
		if !ok {
			t.Errorf("%s: no row in contractRows (add one: its success run, and whether it reads the config or the keyset)", path)
			continue
		}
		if row.skip != "" {
			continue
		}
		words := strings.Fields(path)[1:]
		name := strings.Join(words, "_")
		t.Run("success/"+name, func(t *testing.T) {
			var r result
			if path == "vigil demo" {
				r = f.demoOut
			} else {
				args := append(append([]string{"-c", f.cfg}, words...), expand(row.success)...)
				r = vigil(t, f.demo, nil, append(args, "--json")...)
			}
			if r.code != row.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, row.code, r)
			}
			doc := oneJSON(t, r.stdout)
			if _, isArray := doc.([]any); isArray {
				t.Errorf("--json printed an array; print one object (e.g. {\"items\": [...]})")
			}
			checkSchema(t, "success_"+name, doc)
		})
		t.Run("misuse/"+name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{"-c", f.cfg}, words...), "--no-such-flag", "--json")
			r := earlyExit(t, f.demo, args...)
			checkError(t, r, exitUsage, "misuse_"+name, tmp, f)
		})
		if !row.noConfig {
			t.Run("missing_config/"+name, func(t *testing.T) {
				t.Parallel()
				args := append(append([]string{"-c", filepath.Join(tmp, "absent", "vigil.yaml")}, words...), withoutConfig(expand(row.success))...)
				r := earlyExit(t, f.demo, append(args, "--json")...)
				checkError(t, r, exitUsage, "missing_config_"+name, tmp, f)
			})
		}
		if row.keys {
			t.Run("wrong_passphrase/"+name, func(t *testing.T) {
				t.Parallel()
				args := append(append([]string{"-c", f.pass}, words...), withoutConfig(expand(row.success))...)
				r := vigil(t, filepath.Dir(f.pass), []string{"VIGIL_TEST_PASS=wrong"}, append(args, "--json")...)
				checkError(t, r, exitKeys, "wrong_passphrase_"+name, tmp, f)
			})
		}
	}
	for _, path := range groups {
		words := strings.Fields(path)[1:]
		name := strings.Join(append([]string{"root"}, words...), "_")
		t.Run("unknown_subcommand/"+name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{"-c", f.cfg}, words...), "bogus", "--json")
			r := earlyExit(t, f.demo, args...)
			checkError(t, r, exitUsage, "unknown_"+name, tmp, f)
		})
	}
	t.Run("did_you_mean", func(t *testing.T) {
		for _, tc := range []struct{ args, want []string }{
			{[]string{"config", "vaildate"}, []string{"validate"}},
			{[]string{"statsu"}, []string{"status"}},
			{[]string{"status", "--jsno"}, []string{"--json"}},
		} {
			r := earlyExit(t, f.demo, append([]string{"-c", f.cfg}, tc.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "Did you mean this?\n\t"+tc.want[0]) {
				t.Errorf("%v: %s", tc.args, r)
			}
			r = earlyExit(t, f.demo, append([]string{"-c", f.cfg, "--json"}, tc.args...)...)
			var doc errorDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || fmt.Sprint(doc.Error.Suggestions) != fmt.Sprint(tc.want) {
				t.Errorf("%v --json: %v %s", tc.args, err, r)
			}
		}
	})
}

// earlyExit runs a command line that must end before any work — misuse,
// an unknown subcommand, a missing config — through execute, the entry point
// main calls, inside the test process: a process start (about 0.1 s of CPU
// for this binary) would cost more than the command. The command lines in
// processExits also run as a real process, which must give the same result,
// so the exec path of every kind of early exit stays tested.
func earlyExit(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), args, strings.NewReader(""), &out, &errb)
	r := result{stdout: out.String(), stderr: errb.String(), code: code}
	if processExits[t.Name()] {
		processExitsRun.Store(t.Name(), true)
		p := vigil(t, dir, nil, args...)
		if p.code != r.code || p.stdout != r.stdout || p.stderr != r.stderr {
			t.Errorf("in process and as a process, vigil %s differs:\n--- in process\n%s\n--- process\n%s", strings.Join(args, " "), r, p)
		}
	}
	return r
}

// processExits are the early-exit cases that earlyExit also runs as a
// process: one of each kind.
var processExits = map[string]bool{
	"TestCLIContract/misuse/status":                     true,
	"TestCLIContract/missing_config/status":             true,
	"TestCLIContract/missing_config/run":                true,
	"TestCLIContract/unknown_subcommand/root":           true,
	"TestCLIContract/unknown_subcommand/root_snapshots": true,
}

var processExitsRun sync.Map // names of processExits that ran

// checkError checks an exit code, a human error on stderr, and the --json
// error object against its golden file.
func checkError(t *testing.T, r result, code int, golden, tmp string, f *contractFixture) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
	if !regexp.MustCompile(`(?m)^vigil: `).MatchString(r.stderr) {
		t.Errorf("stderr does not hold a human error line:\n%s", r.stderr)
	}
	// A command that failed after printing its result (a run record with
	// its error, verify's results) keeps that document; otherwise stdout
	// holds the error object.
	if m, ok := oneJSON(t, r.stdout).(map[string]any); !ok || m["error"] == nil {
		return
	}
	var doc errorDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Error.ExitCode != code || doc.Error.Kind != exitKinds[code] || doc.Error.Message == "" {
		t.Errorf("error object %+v", doc.Error)
	}
	norm := strings.NewReplacer(tmp, "$TMP", f.dir, "$FIXTURE").Replace(r.stdout)
	norm = volatileIDs.ReplaceAllString(norm, "$$ID")
	compareGolden(t, filepath.Join("testdata", "contract", golden+".json"), norm)
}

// oneJSON decodes stdout as exactly one JSON document.
func oneJSON(t *testing.T, stdout string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON document:\n%s", stdout)
	}
	return v
}

// volatileIDs matches run and snapshot ids.
var volatileIDs = regexp.MustCompile(`\d{8}T\d{6}(\.\d{6})?Z-[0-9a-f]{6}`)

// snakeKey is the form of every object key of Vigil's JSON output.
var snakeKey = regexp.MustCompile(`^[a-z0-9_.:/-]+$|^[^A-Za-z]`)

// checkSchema compares the key structure of doc (values dropped, arrays
// collapsed, maps keyed by data names kept) with a golden file and checks
// that every key is snake_case.
func checkSchema(t *testing.T, golden string, doc any) {
	t.Helper()
	paths := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.Contains(k, "/") {
					// A key named after a snapshot or a file (a detail map):
					// data, not schema.
					walk(prefix+".*", e)
					continue
				}
				if !snakeKey.MatchString(k) {
					t.Errorf("%s: key %q is not snake_case", prefix, k)
				}
				walk(prefix+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix+"[]", e)
			}
		default:
			paths[prefix] = true
		}
	}
	walk("", doc)
	var lines []string
	for p := range paths {
		lines = append(lines, p)
	}
	sort.Strings(lines)
	compareGolden(t, filepath.Join("testdata", "contract", golden+".schema"), strings.Join(lines, "\n")+"\n")
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/vigil -run TestCLIContract -update)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// contractPass unlocks the shared demo's passphrase-protected keyset; it
// passes the passphrase-strength rule of keys init.
const contractPass = "four random words suffice here"
