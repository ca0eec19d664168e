// Package reports renders an audit (package audit's Report) together with
// the personal-data inventory, the anonymized datasets and the backup
// status into the report folder a compliance officer reads and signs.
//
// # Formats
//
// Write puts these files into one folder, atomically (a new folder appears
// complete or not at all; in an existing one each file is replaced by a
// rename), readable by owner and group only:
//
//   - report.html: one self-contained page. Inline CSS, charts as inline
//     SVG drawn in Go, no JavaScript, no fonts, images or other requests
//     (a Content-Security-Policy meta tag forbids them). It prints to PDF
//     with one section per page; Input.PDF adds report.pdf (the CLI prints
//     it with headless Chromium).
//   - report.json: the full Document, with "format": 1. ReadPrevious reads
//     it back as the previous report of the next run.
//   - findings.csv: one row per finding, open and suppressed; UTF-8 with a
//     byte-order mark, CRLF, no line breaks inside cells.
//   - report.md: the same sections in Markdown.
//   - record-art30.html|.md and pia-pipl.html|.md: the GDPR Art. 30 record
//     of processing and the PIPL Art. 55/56 impact assessment, filled from
//     Input.Records and the evidence, gaps listed (see RecordGaps).
//   - evidence.json: the SHA-256 of every input (Input.Inputs, and the
//     Input.Attachments kept as copies in the folder) and of every file,
//     signed by Input.Signer. VerifyDir checks a folder.
//
// Each format also has its own Render function writing to an io.Writer.
//
// # Languages
//
// Input.Lang selects en or zh-CN. Every string comes from the embedded
// catalog i18n/<lang>.yaml (template strings, control names and
// suggestions, check titles and remediation) and i18n/detections.<lang>.yaml
// (detection titles, remediation and optional descriptions by detection
// id); dates and durations follow the language. TestCatalogComplete lists
// any key, detection, control or check without a translation.
//
// # Sections
//
// Summary, trend against the previous report, activity charts, findings
// with their case, severity rationale, threshold source, evidence and
// remediation, cases over time, suppressed and closed findings with the
// suppressions file, the control matrix (ISO/IEC 27001:2022 Annex A, GDPR,
// PIPL, CCPA), posture checks with their rules, the data inventory,
// protection coverage and anonymized datasets, backups and restore drills,
// improvement suggestions, the formal records with their gaps, the input
// hashes, the method (sources and detections) and a sign-off block.
//
// # Trend, cases and suppressions
//
// A finding is identified across reports by its fingerprint. Open findings
// of this report that were not open in the previous one are new; findings
// that a suppression or a closed case hides are listed as suppressed. With
// a case register (audit.Report.Cases) open cases are carried until
// closed, so a finding gone from the open list was closed: resolved.
// Without one, a finding merely absent from this period is listed as "not
// observed", never as resolved. Finding ids (F-001, ...) number the
// findings of one report only.
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
