package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/reports"
	"github.com/vigil-dg/vigil/stages/audit"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// recordConfig maps the config's report section onto the records' input.
func recordConfig(cfg *pipeline.Config) *reports.RecordConfig {
	r := cfg.Report
	out := &reports.RecordConfig{
		Organization: r.Organization,
		Controller:   reports.Party{Name: r.Controller.Name, Contact: r.Controller.Contact},
		DPO:          reports.Party{Name: r.DPO.Name, Contact: r.DPO.Contact},
		Purposes:     r.Purposes, LegalBasis: r.LegalBasis, DataSubjects: r.DataSubjects, Recipients: r.Recipients,
		Retention: r.Retention, Necessity: r.Assessment.Necessity, Impact: r.Assessment.Impact, Assessor: r.Assessment.Assessor,
		KeepYears: r.KeepYears, SignedBy: r.SignedBy,
	}
	if r.Transfers != nil {
		out.Transfers = []reports.Transfer{}
	}
	for _, t := range r.Transfers {
		out.Transfers = append(out.Transfers, reports.Transfer{Recipient: t.Recipient, Country: t.Country, Safeguard: t.Safeguard})
	}
	return out
}

// recordEvidence rates the formal records before the audit, for the
// GDPR Art. 30 and PIPL Art. 55 checks.
func recordEvidence(rc *reports.RecordConfig, ev *evidence) []audit.RecordEvidence {
	gaps := reports.RecordGaps(*rc, reports.RecordEvidence{Inventory: ev.inventory, Datasets: ev.datasets, Backups: ev.backups})
	return []audit.RecordEvidence{{Kind: reports.RecordArt30, Gaps: gaps[reports.RecordArt30]}, {Kind: reports.RecordPIA, Gaps: gaps[reports.RecordPIA]}}
}

// auditInputs hashes what the audit reads: log files (every file the
// globs match), the suppressions file, the config and the reference
// snapshots' manifests. Inputs that change as Vigil runs are attached as
// copies instead: the run ledger's records of the period, the case register
// as it was before the audit, the last verification record, each table's
// classification and each dataset's description.
func auditInputs(cfg *pipeline.Config, opts audit.Options, from, to time.Time) ([]reports.InputFile, []reports.Attachment, error) {
	var inputs []reports.InputFile
	add := func(kind, name string, paths ...string) error {
		sort.Strings(paths)
		in, err := reports.HashInputs(kind, name, paths...)
		if err != nil {
			return err
		}
		inputs = append(inputs, in...)
		return nil
	}
	for _, src := range opts.Sources {
		var files []string
		for _, p := range src.Paths {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, nil, fmt.Errorf("log source %s: %w", src.Name, err)
			}
			files = append(files, m...)
		}
		if err := add(reports.KindLog, src.Name, files...); err != nil {
			return nil, nil, err
		}
	}
	if cfg.Audit.Suppressions != "" {
		if err := add(reports.KindSuppressions, "suppressions", cfg.Audit.Suppressions); err != nil {
			return nil, nil, err
		}
	}
	if cfg.File != "" && fileExists(cfg.File) {
		if err := add(reports.KindConfig, "config", cfg.File); err != nil {
			return nil, nil, err
		}
	}
	for _, t := range []string{"staff", "ownership"} {
		if m, err := snapshot.Latest(cfg.Paths().Store, t); err == nil {
			p := filepath.Join(cfg.Paths().Store, t, m.ID, "manifest.json")
			if fileExists(p) {
				if err := add(reports.KindReference, t, p); err != nil {
					return nil, nil, err
				}
			}
		}
	}

	var att []reports.Attachment
	attach := func(kind, name, path, file string) {
		if b, err := os.ReadFile(path); err == nil {
			att = append(att, reports.Attachment{Kind: kind, Name: name, Path: path, File: file, Data: b})
		}
	}
	if recs, err := pipeline.ReadLedger(cfg.Home); err == nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, r := range recs {
			if !r.Start.Before(from.AddDate(0, 0, -1)) && r.Start.Before(to.AddDate(0, 0, 1)) || r.Stage == "audit" {
				if err := enc.Encode(r); err != nil {
					return nil, nil, err
				}
			}
		}
		att = append(att, reports.Attachment{Kind: reports.KindLedger, Name: "run ledger (period excerpt)", Path: pipeline.LedgerPath(cfg.Home), File: "input-ledger.jsonl", Data: b.Bytes()})
	}
	attach(reports.KindCases, "case register before the audit", cfg.Report.Cases, "input-cases.json")
	attach(reports.KindVerification, "last restore drills", verifyRecordPath(cfg.Home), "input-verify.json")
	for _, t := range tableNames(cfg) {
		if m, err := snapshot.Latest(cfg.Paths().Store, t); err == nil {
			attach(reports.KindInventory, t, classificationPath(cfg.Home, m.Table, m.ID), "input-classification-"+safeName(t)+".json")
		}
		attach(reports.KindDataset, t, filepath.Join(cfg.Paths().Datasets, t, "_vigil.json"), "input-dataset-"+safeName(t)+".json")
	}
	return inputs, att, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == '.' {
			return '_'
		}
		return r
	}, s)
}

// saveCases folds the audit's changes into the register on disk (keeping
// any `vigil findings` change made meanwhile) and saves it.
func saveCases(cfg *pipeline.Config, rep *audit.Report, now time.Time) error {
	if rep.CaseFile == nil {
		return nil
	}
	disk, err := audit.LoadCases(cfg.Report.Cases)
	if err != nil {
		return err
	}
	return audit.SaveCases(cfg.Report.Cases, audit.MergeAudit(disk, rep.CaseFile, now), now)
}

// reportSigner returns the keyset as report signer, adding a signing key
// to a keyset that has none.
func reportSigner(ctx context.Context, kr *keys.Keyring, now time.Time) (reports.Signer, error) {
	if _, err := kr.EnsureSigning(ctx, now); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return kr, nil
}

// chromiumBinary finds a headless Chromium: $VIGIL_CHROMIUM, then the usual names.
func chromiumBinary() (string, error) {
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("--pdf needs Chromium (install chromium or set VIGIL_CHROMIUM)")
}

// chromiumPDF prints report.html to PDF with headless Chromium: no
// network (the page makes no request; the proxy is pointed nowhere), a
// throwaway profile, bounded in time.
func chromiumPDF(bin, tmpRoot string) func(ctx context.Context, html []byte) ([]byte, error) {
	return func(ctx context.Context, html []byte) ([]byte, error) {
		dir, err := os.MkdirTemp(tmpRoot, "pdf-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		page := filepath.Join(dir, "report.html")
		if err := os.WriteFile(page, html, 0o600); err != nil {
			return nil, err
		}
		out := filepath.Join(dir, "report.pdf")
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		args := []string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
			"--no-pdf-header-footer", "--print-to-pdf=" + out, "file://" + page}
		cmd := exec.CommandContext(ctx, bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("chromium --print-to-pdf: %v: %s", err, lastLine(stderr.String()))
		}
		b, err := os.ReadFile(out)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
			return nil, fmt.Errorf("chromium wrote no PDF: %s", lastLine(stderr.String()))
		}
		return b, nil
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// pruneReports removes signed report folders made more than keepYears ago:
// counted from when the report was generated (an assessment is kept three
// years from when it was made, PIPL Art. 56), or from its period's end if
// that is later, so that a report over an old period is not removed as it
// is written. Folders without a signed manifest are never touched.
func pruneReports(root string, keepYears int, now time.Time) ([]string, error) {
	if keepYears < pipeline.MinReportKeepYears {
		keepYears = pipeline.MinReportKeepYears
	}
	cut := now.AddDate(-keepYears, 0, 0)
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, nil
	}
	var removed []string
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, reports.FileEvidence))
		if err != nil {
			continue
		}
		var ev reports.Evidence
		if json.Unmarshal(b, &ev) != nil || ev.Format != reports.EvidenceFormat || ev.Period.To.IsZero() {
			continue
		}
		if made := ev.GeneratedAt; made.After(ev.Period.To) && !made.Before(cut) || !ev.Period.To.Before(cut) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			return removed, err
		}
		removed = append(removed, dir)
	}
	return removed, nil
}
