package extract

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

// ErrZipEntry is a zip archive without the wanted CSV, or with more than
// one file that could be it.
var ErrZipEntry = errors.New("extract: zip entry")

// OpenZipCSV streams one CSV file inside a zip archive (a Salesforce Data
// Export, say) as a table, with the same options, detection, typing and
// rejects as OpenCSV. The entry is decompressed as it is read: nothing of
// it is written to disk. entry is chosen by [SelectEntry]. The zip's CRC of
// the entry is checked at its end (a mismatch fails the table), and the
// zip file itself must not change while it is read, as for a CSV file.
// Messages name the file as "archive.zip:Entry.csv".
func OpenZipCSV(ctx context.Context, zipPath, entry string, opts CSVOptions) (TableReader, error) {
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("extract: %w", err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, &ParseError{File: zipPath, Err: fmt.Errorf("%w: not a readable zip archive: %v", ErrUnsupportedFormat, err)}
	}
	names := make([]string, len(zr.File))
	for i, zf := range zr.File {
		names[i] = zf.Name
	}
	name, err := SelectEntry(names, entry)
	if err != nil {
		f.Close()
		return nil, &ParseError{File: zipPath, Err: err}
	}
	var zf *zip.File
	for _, x := range zr.File {
		if x.Name == name {
			zf = x
			break
		}
	}
	display := zipPath + ":" + name
	if opts.Table == "" {
		opts.Table = strings.TrimSuffix(path.Base(name), path.Ext(name))
	}
	opts, enc, err := opts.withDefaults(display)
	if err != nil {
		f.Close()
		return nil, err
	}
	rc, err := zf.Open()
	if err != nil {
		f.Close()
		return nil, &ParseError{File: display, Err: fmt.Errorf("%w: %v", ErrUnsupportedFormat, err)}
	}
	chunk, rawSize := chunkSize, rawBufSize
	if size := zf.UncompressedSize64; size < uint64(chunk) {
		chunk = max(int(size)+64, 64)
		rawSize = min(rawSize, chunk)
	}
	r := &csvReader{
		chunk:     chunk,
		path:      display,
		opts:      opts,
		f:         f,
		inZip:     true,
		statPath:  zipPath,
		srcSize:   int64(zf.UncompressedSize64),
		srcCloser: rc,
		sp:        newSplitter(splitDelim(opts.Delimiter), opts.MaxRecordBytes),
		delim:     splitDelim(opts.Delimiter),
		blocks:    make(chan *block, 4),
		free:      make(chan *block, 8),
		out:       make(chan *batchMsg, 1),
		opened:    fi,
	}
	r.sr = newSource(countingReader{rc, &r.read}, enc, rawSize) // BytesRead: of the entry, uncompressed
	if err := r.launch(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// SelectEntry picks the zip entry that holds want: the entry whose path is
// want, else the one file whose base name is want ignoring case (exports
// put the CSVs at the top or in one folder). Directories, macOS resource
// forks (__MACOSX/) and hidden files are never chosen. No match, or more
// than one, is an error naming the CSV files the archive has.
func SelectEntry(names []string, want string) (string, error) {
	want = strings.TrimSpace(want)
	if want == "" {
		return "", fmt.Errorf("%w: no entry named", ErrZipEntry)
	}
	usable := func(n string) bool {
		b := path.Base(n)
		return n != "" && !strings.HasSuffix(n, "/") && !strings.HasPrefix(n, "__MACOSX/") && !strings.Contains(n, "/__MACOSX/") &&
			!strings.HasPrefix(b, ".")
	}
	for _, n := range names {
		if n == want && usable(n) {
			return n, nil
		}
	}
	var hits []string
	for _, n := range names {
		if usable(n) && strings.EqualFold(path.Base(n), path.Base(want)) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		var csvs []string
		for _, n := range names {
			if usable(n) && strings.EqualFold(path.Ext(n), ".csv") {
				csvs = append(csvs, path.Base(n))
			}
		}
		sort.Strings(csvs)
		if len(csvs) > 12 {
			csvs = append(csvs[:12], fmt.Sprintf("… %d more", len(csvs)-12))
		}
		if len(csvs) == 0 {
			return "", fmt.Errorf("%w: no %s in the archive, which holds no CSV files", ErrZipEntry, want)
		}
		return "", fmt.Errorf("%w: no %s in the archive; it holds %s (set entry: to one of them)", ErrZipEntry, want, strings.Join(csvs, ", "))
	}
	sort.Strings(hits)
	return "", fmt.Errorf("%w: %s matches %d files (%s); set entry: to the full path of one", ErrZipEntry, want, len(hits), strings.Join(hits, ", "))
}
