package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// File names in a report folder.
const (
	FileHTML     = "report.html"
	FileJSON     = "report.json"
	FileCSV      = "findings.csv"
	FileMarkdown = "report.md"
	FilePDF      = "report.pdf"
)

// Permissions of a report folder and its files: reports name staff
// accounts and their addresses, so they are not world-readable.
const (
	dirMode  = 0o750
	fileMode = 0o640
)

// Written names the files Write wrote.
type Written struct {
	Dir      string   `json:"dir"`
	HTML     string   `json:"html"`
	JSON     string   `json:"json"`
	CSV      string   `json:"csv"`
	Markdown string   `json:"markdown"`
	Evidence string   `json:"evidence"` // evidence.json: hashes of inputs and files, signature
	Signed   bool     `json:"signed"`
	Records  []string `json:"records"` // GDPR Art. 30 record and PIPL assessment, HTML and Markdown
	PDF      string   `json:"pdf,omitempty"`
}

// Write renders in into the folder dir: report.html, report.json,
// findings.csv and report.md. A new folder is built beside dir and renamed
// into place, so it appears complete or not at all; into an existing folder
// each file is written to a temporary file and renamed over the old one,
// report.json last. Other files in dir are left alone. Files are
// readable by owner and group only.
func Write(ctx context.Context, dir string, in Input) (*Written, error) {
	d, err := NewDocument(in)
	if err != nil {
		return nil, err
	}
	// report.json last: it is what the next run reads.
	outs := []out{
		{FileHTML, func(b *bytes.Buffer) error { return d.HTML(b) }},
		{FileCSV, func(b *bytes.Buffer) error { return d.CSV(b) }},
		{FileMarkdown, func(b *bytes.Buffer) error { return d.Markdown(b) }},
	}
	outs = append(outs, recordOutputs(d)...)
	for _, a := range in.Attachments {
		data := a.Data
		outs = append(outs, out{a.File, func(b *bytes.Buffer) error { _, err := b.Write(data); return err }})
	}
	if in.PDF != nil {
		outs = append(outs, out{FilePDF, nil})
	}
	outs = append(outs, out{FileJSON, func(b *bytes.Buffer) error { return d.JSON(b) }})
	data := make([][]byte, len(outs))
	files := map[string][]byte{}
	for i, o := range outs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if o.name == FilePDF {
			pdf, err := in.PDF(ctx, files[FileHTML])
			if err != nil {
				return nil, fmt.Errorf("reports: %s: %w", FilePDF, err)
			}
			data[i] = pdf
			files[o.name] = pdf
			continue
		}
		if err := o.render(&b); err != nil {
			return nil, fmt.Errorf("reports: render %s: %w", o.name, err)
		}
		data[i] = b.Bytes()
		files[o.name] = data[i]
	}
	ev, err := buildEvidence(d, d.Inputs, files, in.Signer)
	if err != nil {
		return nil, fmt.Errorf("reports: evidence: %w", err)
	}
	outs = append(outs[:len(outs)-1], out{name: FileEvidence}, outs[len(outs)-1])
	data = append(data[:len(data)-1], ev, data[len(data)-1])
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	w := &Written{Dir: dir, HTML: filepath.Join(dir, FileHTML), JSON: filepath.Join(dir, FileJSON),
		CSV: filepath.Join(dir, FileCSV), Markdown: filepath.Join(dir, FileMarkdown), Evidence: filepath.Join(dir, FileEvidence),
		Signed: in.Signer != nil}
	if in.PDF != nil {
		w.PDF = filepath.Join(dir, FilePDF)
	}
	for _, o := range outs {
		if isRecordFile(o.name) {
			w.Records = append(w.Records, filepath.Join(dir, o.name))
		}
	}

	_, err = os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		parent := filepath.Dir(dir)
		if err := os.MkdirAll(parent, dirMode); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrWrite, err)
		}
		tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrWrite, err)
		}
		if err := os.Chmod(tmp, dirMode); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("%w: %v", ErrWrite, err)
		}
		for i, o := range outs {
			if err := writeSync(filepath.Join(tmp, o.name), data[i]); err != nil {
				os.RemoveAll(tmp)
				return nil, err
			}
		}
		if err := atomicfile.SyncDir(tmp); err != nil {
			os.RemoveAll(tmp)
			return nil, err
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("%w: %v", ErrWrite, err)
		}
		if err := atomicfile.SyncDir(parent); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrWrite, err)
	default:
		tmps := make([]string, len(outs))
		cleanup := func() {
			for _, t := range tmps {
				if t != "" {
					os.Remove(t)
				}
			}
		}
		for i, o := range outs {
			f, err := os.CreateTemp(dir, "."+o.name+".tmp-")
			if err != nil {
				cleanup()
				return nil, fmt.Errorf("%w: %v", ErrWrite, err)
			}
			tmps[i] = f.Name()
			f.Close()
			if err := os.Chmod(tmps[i], fileMode); err != nil {
				cleanup()
				return nil, fmt.Errorf("%w: %v", ErrWrite, err)
			}
			if err := writeSync(tmps[i], data[i]); err != nil {
				cleanup()
				return nil, err
			}
		}
		for i, o := range outs {
			if err := os.Rename(tmps[i], filepath.Join(dir, o.name)); err != nil {
				cleanup()
				return nil, fmt.Errorf("%w: %v", ErrWrite, err)
			}
			tmps[i] = ""
		}
		if err := atomicfile.SyncDir(dir); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWrite, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("%w: %s: %v", ErrWrite, path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("%w: %s: %v", ErrWrite, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrWrite, path, err)
	}
	return nil
}
