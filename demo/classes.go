package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Class is a class id of the ground-truth vocabulary. The classifier's rule
// pack uses the same ids.
type Class string

// The fixed class vocabulary (see the package documentation).
const (
	ClassPersonName         Class = "person_name"
	ClassPhone              Class = "phone"
	ClassEmail              Class = "email"
	ClassCNResidentID       Class = "cn_resident_id"
	ClassBankCard           Class = "bank_card"
	ClassIBAN               Class = "iban"
	ClassBirthDate          Class = "birth_date"
	ClassAge                Class = "age"
	ClassGender             Class = "gender"
	ClassAddress            Class = "address"
	ClassProvince           Class = "province"
	ClassCity               Class = "city"
	ClassPostalCode         Class = "postal_code"
	ClassIPAddress          Class = "ip_address"
	ClassFreeTextPII        Class = "free_text_pii"
	ClassRecordID           Class = "record_id"
	ClassOrganizationName   Class = "organization_name"
	ClassCNSocialCreditCode Class = "cn_social_credit_code"
	ClassNone               Class = "none"
)

// Classes returns the vocabulary in a fixed order.
func Classes() []Class {
	return []Class{ClassPersonName, ClassPhone, ClassEmail, ClassCNResidentID, ClassBankCard,
		ClassIBAN, ClassBirthDate, ClassAge, ClassGender, ClassAddress, ClassProvince, ClassCity,
		ClassPostalCode, ClassIPAddress, ClassFreeTextPII, ClassRecordID, ClassOrganizationName,
		ClassCNSocialCreditCode, ClassNone}
}

// Valid reports whether c is in the vocabulary.
func (c Class) Valid() bool {
	for _, k := range Classes() {
		if c == k {
			return true
		}
	}
	return false
}

// GroundTruthFormat is the version of ground_truth.json.
const GroundTruthFormat = 1

// GroundTruth is the content of ground_truth.json: for every table (by file
// name without ".csv") the class of every column (by its header as written).
type GroundTruth struct {
	Format int                         `json:"format"`
	Seed   uint64                      `json:"seed"`
	Rows   int                         `json:"rows"`
	Tables map[string]map[string]Class `json:"tables"`
}

// ErrGroundTruth is returned (wrapped) for a ground-truth file that cannot be used.
var ErrGroundTruth = errors.New("demo: bad ground truth")

// DecodeGroundTruth reads a ground-truth document, rejecting unknown fields,
// other format versions and classes outside the vocabulary (all reported).
func DecodeGroundTruth(r io.Reader) (*GroundTruth, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var g GroundTruth
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGroundTruth, err)
	}
	var errs []error
	if g.Format != GroundTruthFormat {
		errs = append(errs, fmt.Errorf("%w: format %d, want %d", ErrGroundTruth, g.Format, GroundTruthFormat))
	}
	for _, table := range sortedKeys(g.Tables) {
		cols := g.Tables[table]
		for _, col := range sortedKeys(cols) {
			if !cols[col].Valid() {
				errs = append(errs, fmt.Errorf("%w: table %s column %q: unknown class %q", ErrGroundTruth, table, col, cols[col]))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &g, nil
}

// ReadGroundTruth reads a ground_truth.json file.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGroundTruth, err)
	}
	defer f.Close()
	g, err := DecodeGroundTruth(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}
