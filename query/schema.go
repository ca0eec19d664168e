package query

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// datasetMeta is the part of _vigil.json that Schema shows. It is decoded
// leniently: the anonymize stage owns the format.
type datasetMeta struct {
	Format         string    `json:"format"`
	Created        time.Time `json:"created"`
	RowsWritten    int64     `json:"rows_written"`
	RowsSuppressed int64     `json:"rows_suppressed"`
	Columns        []struct {
		Name            string `json:"name"`
		Class           string `json:"class"`
		Category        string `json:"category"`
		QuasiIdentifier bool   `json:"quasi_identifier"`
		Sensitive       bool   `json:"sensitive"`
		Protection      struct {
			Method string `json:"method"`
		} `json:"protection"`
	} `json:"columns"`
	Privacy *struct {
		KReached        int64   `json:"k_reached"`
		LReached        float64 `json:"l_reached"`
		Suppressed      int64   `json:"suppressed_records"`
		InformationLoss float64 `json:"information_loss"`
	} `json:"privacy"`
}

// Schema writes a dataset's columns with their types and, from _vigil.json,
// how each was protected and the privacy level reached. It reads metadata
// only and is not logged.
func (s *Session) Schema(ctx context.Context, table string, w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng == nil {
		return fmt.Errorf("%w: session closed", ErrOptions)
	}
	var d *dataset
	for i := range s.sets {
		if strings.EqualFold(s.sets[i].name, table) {
			d = &s.sets[i]
		}
	}
	if d == nil {
		return fmt.Errorf("%w: %q (tables: %s)", ErrUnknownTable, table, strings.Join(s.names(), ", "))
	}
	rows, err := s.eng.conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+sqlIdent(d.name)+")")
	if err != nil {
		return sqlError(err)
	}
	defer rows.Close()
	var meta datasetMeta
	metaErr := readMeta(d.dir, &meta)
	byName := map[string]int{}
	for i, c := range meta.Columns {
		byName[c.Name] = i
	}
	var out [][]string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return sqlError(err)
		}
		class, prot := "", ""
		if i, ok := byName[name]; ok {
			c := meta.Columns[i]
			class, prot = c.Class, c.Protection.Method
			var tags []string
			if c.QuasiIdentifier {
				tags = append(tags, "quasi-identifier")
			}
			if c.Sensitive {
				tags = append(tags, "sensitive")
			}
			if len(tags) > 0 {
				prot += " (" + strings.Join(tags, ", ") + ")"
			}
		}
		out = append(out, []string{printable(name), typ, printable(class), printable(prot)})
		delete(byName, name)
	}
	if err := rows.Err(); err != nil {
		return sqlError(err)
	}
	bw := bufio.NewWriter(w)
	files := "files"
	if len(d.files) == 1 {
		files = "file"
	}
	fmt.Fprintf(bw, "%s  (%d Parquet %s)\n", printable(d.name), len(d.files), files)
	renderTable(bw, []string{"column", "type", "class", "protection"}, out, nil)
	var dropped []string
	for _, c := range meta.Columns {
		if _, ok := byName[c.Name]; ok && c.Protection.Method == "drop" {
			dropped = append(dropped, printable(c.Name))
		}
	}
	if len(dropped) > 0 {
		fmt.Fprintf(bw, "dropped: %s\n", strings.Join(dropped, ", "))
	}
	switch {
	case metaErr != nil:
		fmt.Fprintf(bw, "%s: %v\n", MetadataFile, metaErr)
	default:
		fmt.Fprintf(bw, "rows %d, suppressed %d", meta.RowsWritten, meta.RowsSuppressed)
		if !meta.Created.IsZero() {
			fmt.Fprintf(bw, ", created %s", meta.Created.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(bw)
		if p := meta.Privacy; p != nil {
			fmt.Fprintf(bw, "privacy: k=%d", p.KReached)
			if p.LReached > 0 {
				fmt.Fprintf(bw, ", l=%g", p.LReached)
			}
			fmt.Fprintf(bw, ", suppressed records %d, information loss %.3f\n", p.Suppressed, p.InformationLoss)
		}
	}
	return bw.Flush()
}

func readMeta(dir string, m *datasetMeta) error {
	b, err := os.ReadFile(filepath.Join(dir, MetadataFile))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, m); err != nil {
		return fmt.Errorf("unreadable: %v", err)
	}
	return nil
}

// renderTable writes rows under a header, columns aligned; right says which
// cells to right-align (nil: none). Cells must already be printable.
func renderTable(bw *bufio.Writer, header []string, rows [][]string, right func(row, col int) bool) {
	widths := make([]int, len(header))
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = clip(printable(h), maxCellWidth)
		widths[i] = textWidth(names[i])
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], textWidth(c))
		}
	}
	var lb strings.Builder
	line := func(row int, cells []string) {
		lb.Reset()
		for i, c := range cells {
			if i > 0 {
				lb.WriteString(" | ")
			} else {
				lb.WriteByte(' ')
			}
			pad := strings.Repeat(" ", widths[i]-textWidth(c))
			if right != nil && row >= 0 && right(row, i) {
				lb.WriteString(pad + c)
			} else {
				lb.WriteString(c + pad)
			}
		}
		bw.WriteString(strings.TrimRight(lb.String(), " "))
		bw.WriteByte('\n')
	}
	line(-1, names)
	for i, w := range widths {
		if i > 0 {
			bw.WriteByte('+')
		}
		bw.WriteString(strings.Repeat("-", w+2))
	}
	bw.WriteByte('\n')
	for i, r := range rows {
		line(i, r)
	}
}
