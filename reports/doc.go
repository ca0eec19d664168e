// Package reports renders an audit (package audit's Report) together with
// the personal-data inventory, the anonymized datasets and the backup
// status into the report folder a compliance officer reads and signs.
//
// # Formats
//
// Write puts four files into one folder, atomically (a new folder appears
// complete or not at all; in an existing one each file is replaced by a
// rename), readable by owner and group only:
//
//   - report.html: one self-contained page. Inline CSS, charts as inline
//     SVG drawn in Go, no JavaScript, no fonts, images or other requests
//     (a Content-Security-Policy meta tag forbids them). It prints to PDF
//     with one section per page.
//   - report.json: the full Document, with "format": 1. ReadPrevious reads
//     it back as the previous report of the next run.
//   - findings.csv: one row per finding, open and suppressed.
//   - report.md: the same sections in Markdown.
//
// Each format also has its own Render function writing to an io.Writer.
//
// # Sections
//
// Summary, trend against the previous report (new, resolved, still open,
// suppressed, by finding fingerprint), activity charts, findings with their
// evidence and remediation, suppressed findings and the suppressions file,
// the control matrix (ISO/IEC 27001:2022 Annex A, GDPR, PIPL, CCPA),
// posture checks, the data inventory, protection coverage and anonymized
// datasets, backups and restore drills, improvement suggestions, the
// method (sources and detections) and a sign-off block.
//
// # Trend and suppressions
//
// A finding is identified across reports by its fingerprint. Open findings
// of this report that were not open in the previous one are new, open
// findings of the previous report that are gone are resolved, and findings
// that a suppression (accepted risk or false positive) hides are listed as
// suppressed, not as resolved, with the suppression's reason and author.
// Finding ids (F-001, ...) number the findings of one report only. The
// suppressions file itself belongs to package audit; the report lists each
// entry with its state and the findings it matched.
//
// # Personal data
//
// Reports render what the audit hands over and nothing more: customer
// identifiers in evidence are already pseudonymised by the audit, the
// inventory names columns and classes, never values. Every string that
// comes from logs is untrusted: HTML is escaped by html/template, Markdown
// punctuation is backslash-escaped and CSV cells that a spreadsheet would
// run as a formula are prefixed with an apostrophe.
package reports
