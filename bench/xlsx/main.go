// Command xlsx benchmarks snapshotting an .xlsx export against the same data
// as CSV, measured in the same run: the time and the peak RSS of the vigil
// process for each, and their ratios.
//
//	go run ./bench/xlsx                 # 1,000,000 rows x 20 columns
//	go run ./bench/xlsx -rows 200000
//
// The workbook is written once with excelize's StreamWriter (inline
// strings, a date-time style on one column) and the CSV from the same
// values, both cached under the temporary directory (-cache) for later
// runs. Each run measures both snapshots, so the ratios compare like with
// like on a noisy machine. Target: the .xlsx snapshot's peak RSS stays
// under 512 MB (it streams).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"
)

const cols = 20

func main() {
	rows := flag.Int("rows", 1_000_000, "rows of the table")
	work := flag.String("work", "", "work directory (default: a temporary one, removed afterwards)")
	cache := flag.String("cache", "", "directory for the generated files (default: $TMPDIR/vigil-bench-xlsx-ROWS)")
	flag.Parse()
	if *cache == "" {
		*cache = filepath.Join(os.TempDir(), fmt.Sprintf("vigil-bench-xlsx-%d", *rows))
	}
	if err := run(*rows, *work, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "bench/xlsx:", err)
		os.Exit(1)
	}
}

func header() []string {
	h := make([]string, cols)
	for i := range h {
		h[i] = fmt.Sprintf("c%02d", i+1)
	}
	h[0], h[1], h[2], h[3], h[4] = "id", "name", "city", "created", "amount"
	return h
}

// row is the i-th row: an ID, text, a city, a timestamp, an amount, then
// numbers and codes.
func row(i int) []any {
	v := make([]any, cols)
	v[0] = fmt.Sprintf("C%09d", i)
	v[1] = fmt.Sprintf("客户%d有限公司", i%50000)
	v[2] = []string{"北京", "上海", "广州", "深圳", "杭州"}[i%5]
	v[3] = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	v[4] = float64(i%100000) / 100
	for c := 5; c < cols; c++ {
		if c%2 == 0 {
			v[c] = (i * c) % 1000003
		} else {
			v[c] = fmt.Sprintf("K%06d", (i+c)%999983)
		}
	}
	return v
}

func csvCell(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprint(v)
}

func writeData(dir string, rows int) error {
	cf, err := os.Create(filepath.Join(dir, "t.csv"))
	if err != nil {
		return err
	}
	defer cf.Close()
	fmt.Fprintln(cf, strings.Join(header(), ","))
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	ts, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	h := make([]any, cols)
	for i, s := range header() {
		h[i] = s
	}
	if err := sw.SetRow("A1", h); err != nil {
		return err
	}
	line := make([]string, cols)
	for i := 0; i < rows; i++ {
		v := row(i)
		for c := range v {
			line[c] = csvCell(v[c])
		}
		fmt.Fprintln(cf, strings.Join(line, ","))
		v[3] = excelize.Cell{StyleID: ts, Value: v[3]}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, v); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(filepath.Join(dir, "t.xlsx"))
}

func run(rows int, work, data string) error {
	if work == "" {
		d, err := os.MkdirTemp("", "vigil-bench-xlsx-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	bin := filepath.Join(work, "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/vigil").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "t.xlsx")); err != nil {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return err
		}
		t0 := time.Now()
		if err := writeData(data, rows); err != nil {
			os.Remove(filepath.Join(data, "t.xlsx"))
			return err
		}
		fmt.Printf("generated %d rows x %d columns in %s (cached in %s)\n", rows, cols, time.Since(t0).Round(time.Millisecond), data)
	} else {
		fmt.Printf("using the cached %d rows x %d columns in %s\n", rows, cols, data)
	}
	for _, n := range []string{"t.csv", "t.xlsx"} {
		if fi, err := os.Stat(filepath.Join(data, n)); err == nil {
			fmt.Printf("  %s: %d MB\n", n, fi.Size()>>20)
		}
	}
	type result struct {
		d   time.Duration
		cpu time.Duration
		rss int64
	}
	measure := func(file string) (result, error) {
		home := filepath.Join(work, "home-"+file)
		cfg := fmt.Sprintf("format: 1\nhome: %s\ntimezone: UTC\nkeys: {key_file: %s}\nsources:\n  s:\n    type: csv\n    dir: %s\n    tables:\n      t: {file: %s}\njobs:\n  snap: {stages: [snapshot]}\n",
			home, filepath.Join(work, "master.key"), data, file)
		cfgPath := filepath.Join(work, file+".yaml")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			return result{}, err
		}
		if _, err := os.Stat(filepath.Join(work, "master.key")); err != nil {
			if out, err := exec.Command(bin, "-c", cfgPath, "keys", "keyfile", filepath.Join(work, "master.key")).CombinedOutput(); err != nil {
				return result{}, fmt.Errorf("keyfile: %v\n%s", err, out)
			}
		}
		if out, err := exec.Command(bin, "-c", cfgPath, "keys", "init").CombinedOutput(); err != nil {
			return result{}, fmt.Errorf("keys init: %v\n%s", err, out)
		}
		cmd := exec.Command(bin, "-c", cfgPath, "--no-progress", "run", "snap")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			return result{}, fmt.Errorf("run %s: %v\n%s", file, err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		return result{d: d, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), rss: ru.Maxrss * 1024}, nil
	}
	c, err := measure("t.csv")
	if err != nil {
		return err
	}
	x, err := measure("t.xlsx")
	if err != nil {
		return err
	}
	fmt.Printf("csv : %8s wall  %8s CPU  peak RSS %4d MB\n", c.d.Round(time.Millisecond), c.cpu.Round(time.Millisecond), c.rss>>20)
	fmt.Printf("xlsx: %8s wall  %8s CPU  peak RSS %4d MB\n", x.d.Round(time.Millisecond), x.cpu.Round(time.Millisecond), x.rss>>20)
	fmt.Printf("ratio xlsx/csv: wall %.2fx, CPU %.2fx, memory %.2fx\n", x.d.Seconds()/c.d.Seconds(), x.cpu.Seconds()/c.cpu.Seconds(), float64(x.rss)/float64(c.rss))
	if x.rss >= 512<<20 {
		return fmt.Errorf("xlsx peak RSS %d MB is not under 512 MB", x.rss>>20)
	}
	return nil
}
