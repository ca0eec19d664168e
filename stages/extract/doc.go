// Package extract reads CRM sources as streams of Arrow record batches. It
// holds the CSV directory source; a PostgreSQL source will implement the
// same [TableReader] interface.
//
// # Contract
//
// [OpenCSV] opens one file as one table. It reads the header and the
// inference sample before it returns, so Schema is known at once; the rest
// of the file is streamed by Next. Every column is nullable and has one of
// six logical types ([Type]): string (utf8), int64, decimal(p,s)
// (decimal128), bool, date (date32) and timestamp (microseconds, UTC).
// [CSVDir] lists the tables of a directory (one table per *.csv file).
//
// Nothing is silently dropped. Every record after the header is either
// written to a batch or rejected: [Stats] satisfies RowsRead == RowsWritten +
// RowsRejected at every moment. A rejected row is handed to
// CSVOptions.OnReject as a [Reject] with the file, the physical line where
// the record starts, the column when there is one, and a reason that never
// contains data. Reject.Raw holds the record's text; it is personal data and
// must be stored encrypted, never logged. Rejects arrive in file order,
// before the batch that follows them; an error from OnReject stops reading.
// Blank lines are not records (they are counted in Stats.BlankLines).
//
// Problems with the file itself are fatal and returned as a [*ParseError]
// naming file, line and column, wrapping a sentinel such as [ErrEmptyFile],
// [ErrNoHeader], [ErrMalformedHeader], [ErrEmptyColumnName],
// [ErrDuplicateColumn] (names equal ignoring case count as duplicates, since
// SQL engines do not tell them apart), [ErrUnknownColumn] (a declared type
// for a column the header lacks), [ErrUnsupportedEncoding] or
// [ErrRecordTooLong]. Header problems are all reported together
// (errors.Join), not just the first.
//
// # CSV dialect
//
// RFC 4180: fields separated by the delimiter (default ','; any ASCII
// character but quote, CR and LF), records by LF or CRLF, the final line
// terminator optional. A field that starts with a quote is quoted: it may
// hold delimiters, line breaks (kept as they are, CRLF included) and doubled
// quotes standing for one. Header names are trimmed of white space.
// An empty field, quoted or not, is null for every type; values of typed
// columns may carry surrounding spaces, which are ignored.
//
// A record is rejected (and reading goes on) when it has more or fewer
// fields than the header, holds a quote inside an unquoted field or text
// after a closing quote (the record then ends at the next line feed), holds
// undecodable bytes, or holds a value its column's type cannot take. A
// quoted field still open at the end of the file makes its record one
// reject. A record longer than MaxRecordBytes (16 MiB) is taken to start
// with a stray quote: its first line is rejected and reading resumes on the
// next line; a single line longer than that is fatal.
//
// # Type inference
//
// Columns named in CSVOptions.Types get that type; the others are inferred
// from the non-empty values of the first SampleRows records (default 10000),
// taking the first type that fits every value:
//
//   - int64: an optional minus sign and at most 15 digits, without leading
//     zeros ("0" itself is fine), optionally grouped by commas ("1,234").
//     Codes such as "007", phone numbers with a leading zero, and longer
//     numbers (card numbers, identifiers) stay strings. 0/1 columns are int64.
//   - decimal: the same with a fraction ("-1,234,567.89"); the scale is the
//     longest fraction seen (trailing zeros included) and the precision 18,
//     or 38 when 18 digits are not enough (beyond 38: string).
//   - bool: true/false, yes/no, t/f in any case.
//   - date: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (month and day may have one
//     digit) and YYYY年M月D日.
//   - timestamp: a date, then ' ' or 'T' and H:MM[:SS[.ffffff]], optionally
//     followed by Z or a ±HH[:MM] offset (RFC 3339 included). Values without
//     a zone are UTC. A column mixing dates and timestamps is a timestamp.
//   - string: anything else.
//
// Inferred columns keep the inference rules afterwards (all but the 15-digit
// limit, which only keeps identifiers out of int64): a later value that
// does not fit (say "007" or "n/a" in an int64 column, or a third decimal
// place in a decimal(18,2) column) is rejected with a reason that names the
// column and the inferred type and asks for the type to be declared.
// Declared columns are lenient where nothing is lost: int64 and decimal take
// leading zeros, a plus sign and more than 15 digits; bool also takes 1/0.
// A decimal value with more fraction digits than the scale is rejected
// unless the extra digits are zeros: nothing is rounded.
//
// # Encodings
//
// CSVOptions.Encoding is "auto" (default) or any name golang.org/x/text
// knows (WHATWG labels first: iso-8859-1 means windows-1252; then IANA).
// utf-8, gbk and gb18030 have fast paths; single-byte encodings use a table;
// the others (big5, shift_jis, euc-kr, utf-16 ...) go through x/text, and
// every character they decode must encode back to its bytes, else its row
// is rejected. A byte-order mark (UTF-8, UTF-16 LE/BE, GB18030) decides and
// is stripped; so does UTF-16's zero-byte pattern. Otherwise "auto" decides
// at the first non-ASCII byte (ASCII reads the same either way) from the
// next 256 KiB (detect.go): each candidate decodes it, each decoded character
// scores by plausibility, and the best candidate wins if it is plausible
// and clearly ahead of the best candidate that decodes differently; else
// the read stops with ErrAmbiguousEncoding naming both. Stats.Encoding and
// Stats.EncodingConfidence report the choice.
//
// Text is decoded to UTF-8 before it is split, so a GBK file and its UTF-8
// twin give identical batches. Bytes that do not decode (invalid UTF-8, or
// invalid or unassigned GBK/GB18030 codes, which golang.org/x/text would
// silently turn into U+FFFD) reject their row with the reason "undecodable
// bytes for encoding gb18030 at column X"; Reject.Raw shows them as \xNN.
//
// # File shapes
//
// With Delimiter DelimiterAuto the delimiter is sniffed (dialect.go); a
// "sep=;" first line is honoured and skipped; CR-only files are read with
// CR as the line end. Title rows above the header are skipped (or
// HeaderRow names the header's line); trailing unnamed header cells are
// dropped with their empty columns; with Header HeaderAuto a first row
// that looks like data is ErrHeaderLooksLikeData (HeaderNo: col1..colN).
// Stats.Warnings notes what was skipped or dropped, and columns holding
// Excel's scientific notation. A file that changes while it is read ends
// with ErrSourceChanged. [Open] reads .xlsx workbooks too (xlsx.go).
//
// # Memory and speed
//
// Reading is a pipeline of three goroutines: one reads, decodes and splits
// the file into blocks of records with a byte-level parser that copies no
// field (except quoted ones with doubled quotes); one converts the fields
// and fills Arrow buffers, allocated from CSVOptions.Alloc at their exact
// size; the caller's Next hands the batches out. Channels between them are
// short, so memory is bounded by the sample, a few blocks (1 MiB each) and a
// few batches (BatchRows rows, cut early at MaxBatchBytes of text), however
// large the file. Always Close (or Release) a reader: that stops the
// goroutines and frees the pending batches.
package extract
