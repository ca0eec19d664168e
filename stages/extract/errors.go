package extract

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Fatal problems are returned wrapped in a [*ParseError]
// that names the file, line and column; test for them with errors.Is.
var (
	ErrInvalidType         = errors.New("extract: invalid type")
	ErrInvalidOption       = errors.New("extract: invalid option")
	ErrUnsupportedEncoding = errors.New("extract: unsupported encoding")
	ErrAmbiguousEncoding   = errors.New("extract: cannot tell the file's encoding")
	ErrSourceChanged       = errors.New("extract: the file changed while it was read")
	ErrHeaderLooksLikeData = errors.New("extract: the first row looks like data, not a header")
	ErrEmptyFile           = errors.New("extract: empty file")
	ErrNoHeader            = errors.New("extract: no header row")
	ErrMalformedHeader     = errors.New("extract: malformed header row")
	ErrEmptyColumnName     = errors.New("extract: empty column name in header")
	ErrDuplicateColumn     = errors.New("extract: duplicate column name in header")
	ErrUnknownColumn       = errors.New("extract: declared type for a column that is not in the header")
	ErrRecordTooLong       = errors.New("extract: line too long")
	ErrClosed              = errors.New("extract: reader closed")
	ErrDuplicateTable      = errors.New("extract: two files name the same table")
)

// ParseError is a fatal problem with an input file. Line is 1-based (0 when
// unknown); Column is the header name (or "#n" for a position) or empty.
// Rows with problems are not ParseErrors: they are rejected (see [Reject]).
type ParseError struct {
	File   string
	Line   int64
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	msg := e.Err.Error()
	if rest, ok := strings.CutPrefix(msg, "extract: "); ok {
		msg = rest
	}
	b.WriteString("extract: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(e.Line, 10))
	}
	if e.Column != "" {
		b.WriteString(": column ")
		b.WriteString(strconv.Quote(e.Column))
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }
