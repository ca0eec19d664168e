package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CSVTable is one table of a CSV directory: Name is the file name without
// its extension.
type CSVTable struct {
	Name string
	Path string
}

// CSVDir lists the tables of a CSV directory source: the regular files ending
// in ".csv" (any case), sorted by name. Sub-directories and hidden files are
// ignored. Table names that differ only in case are an error, since SQL
// engines would not tell them apart.
func CSVDir(dir string) ([]CSVTable, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	var tables []CSVTable
	seen := map[string]string{}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.EqualFold(ext, ".csv") {
			continue
		}
		table := strings.TrimSuffix(name, ext)
		key := strings.ToLower(table)
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%w: %q and %q", ErrDuplicateTable, prev, name))
			continue
		}
		seen[key] = name
		tables = append(tables, CSVTable{Name: table, Path: filepath.Join(dir, name)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	return tables, nil
}
