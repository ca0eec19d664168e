package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// DefaultMaxRejected is the share of a table's rows that may be rejected
// before the table fails: strict, so that a wrong encoding, delimiter or
// header never passes as a few odd rows.
const DefaultMaxRejected = "0.1%"

// RejectLimit is a parsed max_rejected: a count of rows ("25") or a share
// of the rows read ("0.1%", "5%").
type RejectLimit struct {
	Count   int64
	Share   float64 // 0..1, when IsShare
	IsShare bool
}

// ParseRejectLimit parses a max_rejected value.
func ParseRejectLimit(s string) (RejectLimit, error) {
	s = strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
			return RejectLimit{}, fmt.Errorf("want a share between 0%% and 100%% such as 0.1%%, got %q", s)
		}
		return RejectLimit{Share: f / 100, IsShare: true}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return RejectLimit{}, fmt.Errorf("want a row count (25) or a share (0.1%%), got %q", s)
	}
	return RejectLimit{Count: n}, nil
}

// Allows reports whether rejected rows out of read are within the limit.
func (l RejectLimit) Allows(rejected, read int64) bool {
	if rejected == 0 {
		return true
	}
	if !l.IsShare {
		return rejected <= l.Count
	}
	return read > 0 && float64(rejected) <= l.Share*float64(read)
}

func (l RejectLimit) String() string {
	if l.IsShare {
		return strconv.FormatFloat(l.Share*100, 'f', -1, 64) + "%"
	}
	return strconv.FormatInt(l.Count, 10)
}

// MaxRejectedOf returns the table's limit: the table's max_rejected, else
// its source's, else DefaultMaxRejected. Validation has checked them.
func (c *Config) MaxRejectedOf(t *Table) RejectLimit {
	s := DefaultMaxRejected
	if src := c.Sources[t.Source]; src != nil && src.MaxRejected != "" {
		s = src.MaxRejected
	}
	if t.MaxRejected != "" {
		s = t.MaxRejected
	}
	l, err := ParseRejectLimit(s)
	if err != nil {
		l, _ = ParseRejectLimit(DefaultMaxRejected)
	}
	return l
}

// validEncodingName reports whether x/text knows the encoding name.
func validEncodingName(name string) bool {
	switch strings.ToLower(name) {
	case "auto", "utf-8", "utf8", "gbk", "gb18030", "cp936":
		return true
	}
	if _, err := htmlindex.Get(name); err == nil {
		return true
	}
	e, err := ianaindex.IANA.Encoding(name)
	return err == nil && e != nil
}

// extractSource validates a CSV source's extraction options and those of
// its tables (encoding, max_rejected, header_row, header, time_zone).
func (v *validator) extractSource(p string, s *Source) {
	if !validEncodingName(s.Encoding) {
		v.errf(p+".encoding", "unknown encoding %q: want auto or a name such as utf-8, windows-1252, iso-8859-1, iso-8859-15, gb18030, gbk, big5, shift_jis, euc-kr or utf-16le", s.Encoding)
	}
	if s.MaxRejected != "" {
		if _, err := ParseRejectLimit(s.MaxRejected); err != nil {
			v.errf(p+".max_rejected", "%v", err)
		}
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.EqualFold(s.TimeZone, "local") {
			v.errf(p+".time_zone", "unknown time zone %q: want an IANA name such as Asia/Shanghai, or UTC", s.TimeZone)
		}
	}
	for tn, t := range s.Tables {
		tp := childPath(p+".tables", tn)
		if t.MaxRejected != "" {
			if _, err := ParseRejectLimit(t.MaxRejected); err != nil {
				v.errf(tp+".max_rejected", "%v", err)
			}
		}
		if t.HeaderRow < 0 {
			v.errf(tp+".header_row", "want the 1-based line of the header, got %d", t.HeaderRow)
		}
		if t.Header != nil && !*t.Header && t.HeaderRow > 0 {
			v.errf(tp+".header_row", "header: false means the file has no header row")
		}
	}
}
