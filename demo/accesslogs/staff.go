package accesslogs

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// StaffMember is one row of staff.csv.
type StaffMember struct {
	ID, Name, Email, Role, Region, Status string
	Hire, Leave                           time.Time // dates (midnight UTC); zero when empty
}

// Owner is one row of ownership.csv.
type Owner struct {
	CustomerID, StaffID string
	Since               time.Time
}

// CSVError locates a problem in an input CSV file.
type CSVError struct {
	File   string
	Line   int
	Column string
	Err    error
}

func (e *CSVError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s:%d: column %s: %v", e.File, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap matches ErrInput and the cause.
func (e *CSVError) Unwrap() []error { return []error{ErrInput, e.Err} }

var (
	staffRequired = []string{"staff_id", "email", "role", "status"}
	ownerRequired = []string{"customer_id", "staff_id"}
	staffRoles    = []string{"sales", "support", "manager", "admin", "analyst", "marketing"}
)

// ReadStaff reads staff.csv (staff_id,name,email,role,region,status,
// hire_date,leave_date). Every bad row is reported.
func ReadStaff(path string) ([]StaffMember, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer f.Close()
	return ParseStaff(path, f)
}

// ParseStaff parses staff rows from r; name is used in errors.
func ParseStaff(name string, r io.Reader) ([]StaffMember, error) {
	var out []StaffMember
	err := readCSV(name, r, staffRequired, func(line int, get func(string) string) error {
		s := StaffMember{ID: get("staff_id"), Name: get("name"), Email: strings.ToLower(get("email")),
			Role: strings.ToLower(get("role")), Region: get("region"), Status: strings.ToLower(get("status"))}
		var errs []error
		if s.ID == "" {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "staff_id", Err: errors.New("empty")})
		}
		if !strings.Contains(s.Email, "@") {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "email", Err: errors.New("not an e-mail address")})
		}
		if !slices.Contains(staffRoles, s.Role) {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "role", Err: fmt.Errorf("%q is not one of %s", s.Role, strings.Join(staffRoles, ", "))})
		}
		if s.Status != "active" && s.Status != "disabled" {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "status", Err: fmt.Errorf("%q is not active or disabled", s.Status)})
		}
		var err error
		if s.Hire, err = parseDate(get("hire_date")); err != nil {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "hire_date", Err: err})
		}
		if s.Leave, err = parseDate(get("leave_date")); err != nil {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "leave_date", Err: err})
		}
		if len(errs) == 0 {
			out = append(out, s)
		}
		return errors.Join(errs...)
	})
	return out, err
}

// ReadOwnership reads ownership.csv (customer_id,staff_id,since).
func ReadOwnership(path string) ([]Owner, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer f.Close()
	return ParseOwnership(path, f)
}

// ParseOwnership parses ownership rows from r; name is used in errors.
func ParseOwnership(name string, r io.Reader) ([]Owner, error) {
	var out []Owner
	err := readCSV(name, r, ownerRequired, func(line int, get func(string) string) error {
		o := Owner{CustomerID: get("customer_id"), StaffID: get("staff_id")}
		var errs []error
		if o.CustomerID == "" {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "customer_id", Err: errors.New("empty")})
		}
		if o.StaffID == "" {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "staff_id", Err: errors.New("empty")})
		}
		var err error
		if o.Since, err = parseDate(get("since")); err != nil {
			errs = append(errs, &CSVError{File: name, Line: line, Column: "since", Err: err})
		}
		if len(errs) == 0 {
			out = append(out, o)
		}
		return errors.Join(errs...)
	})
	return out, err
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD)", s)
	}
	return t, nil
}

// readCSV reads a header row and calls row for every record with a getter
// by column name. Problems in all rows are collected.
func readCSV(name string, r io.Reader, required []string, row func(line int, get func(string) string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &CSVError{File: name, Line: 1, Err: errors.New("empty file")}
	}
	if err != nil {
		return &CSVError{File: name, Line: 1, Err: err}
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		idx[strings.ToLower(h)] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := idx[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return &CSVError{File: name, Line: 1, Err: fmt.Errorf("missing column(s) %s", strings.Join(missing, ", "))}
	}
	var errs []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, &CSVError{File: name, Line: line, Err: err})
			if len(errs) > 100 {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := idx[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if err := row(line, get); err != nil {
			errs = append(errs, err)
			if len(errs) > 100 {
				break
			}
		}
	}
	return errors.Join(errs...)
}
