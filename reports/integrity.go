package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// EvidenceFormat is the format of evidence.json.
const EvidenceFormat = "vigil.report.evidence/v1"

// FileEvidence is the signed manifest of a report folder.
const FileEvidence = "evidence.json"

// ErrVerify is a report folder that does not verify.
var ErrVerify = errors.New("reports: verification failed")

// Input kinds.
const (
	KindLog          = "log"
	KindInventory    = "inventory"
	KindDataset      = "dataset"
	KindVerification = "verification"
	KindLedger       = "ledger"
	KindCases        = "cases"
	KindSuppressions = "suppressions"
	KindConfig       = "config"
	KindReference    = "reference"
)

// InputFile is one file the audit read, with its SHA-256 at audit time.
type InputFile struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"` // log source, table or file role
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Copy names the copy kept in the report folder, for inputs that change
	// as Vigil runs (ledger, case register, verification record,
	// classification): verification checks the copy, not the live file.
	Copy string `json:"copy,omitempty"`
}

// Attachment is an input kept in the report folder (see InputFile.Copy).
// It must hold no personal data beyond what the report shows.
type Attachment struct {
	Kind, Name, Path string // Path: where it was read from
	File             string // file name in the report folder, e.g. input-ledger.jsonl
	Data             []byte
}

// OutputFile is one file of the report folder.
type OutputFile struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Evidence is evidence.json: the hashes of every input and every report
// file, signed.
type Evidence struct {
	Format      string       `json:"format"`
	GeneratedAt time.Time    `json:"generated_at"`
	Period      audit.Period `json:"period"`
	Inputs      []InputFile  `json:"inputs"`
	Outputs     []OutputFile `json:"outputs"`
	Signature   *Signature   `json:"signature,omitempty"`
}

// Signature signs the rest of evidence.json.
type Signature struct {
	Algorithm string `json:"algorithm"` // ED25519 (Tink, key id prefix)
	KeyID     string `json:"key_id"`
	// PublicKeyset is the signer's public Tink keyset, for verifying without
	// the keyset file; verify against the keyset itself to prove origin.
	PublicKeyset []byte `json:"public_keyset"`
	Value        []byte `json:"value"`
}

// Signer signs reports (package keys' Keyring).
type Signer interface {
	SignReport(msg []byte) (keyID string, sig []byte, err error)
	SigningPublicKeyset() ([]byte, error)
}

// Verifier checks report signatures against a trusted keyset.
type Verifier interface {
	VerifyReport(msg, sig []byte) error
}

// PublicVerifier verifies with a public keyset (e.g. the one in evidence.json).
type PublicVerifier func(pub, msg, sig []byte) error

// HashFile returns the size and SHA-256 of a file.
func HashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// HashInputs hashes files of one kind; missing files are an error.
func HashInputs(kind, name string, paths ...string) ([]InputFile, error) {
	var out []InputFile
	for _, p := range paths {
		n, sum, err := HashFile(p)
		if err != nil {
			return nil, fmt.Errorf("reports: hash %s input %s: %w", kind, p, err)
		}
		out = append(out, InputFile{Kind: kind, Name: name, Path: p, Size: n, SHA256: sum})
	}
	return out, nil
}

// signedBytes is what the signature covers: the manifest without it.
func (e *Evidence) signedBytes() ([]byte, error) {
	c := *e
	c.Signature = nil
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return append([]byte("vigil report evidence v1\x00"), b...), nil
}

// buildEvidence hashes the rendered files and signs the manifest.
func buildEvidence(d *Document, inputs []InputFile, files map[string][]byte, signer Signer) ([]byte, error) {
	ev := &Evidence{Format: EvidenceFormat, GeneratedAt: d.GeneratedAt, Period: d.Period, Inputs: append([]InputFile{}, inputs...)}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		ev.Outputs = append(ev.Outputs, OutputFile{File: n, Size: int64(len(files[n])), SHA256: hex.EncodeToString(sum[:])})
	}
	if ev.Inputs == nil {
		ev.Inputs = []InputFile{}
	}
	if signer != nil {
		msg, err := ev.signedBytes()
		if err != nil {
			return nil, err
		}
		kid, sig, err := signer.SignReport(msg)
		if err != nil {
			return nil, err
		}
		pub, err := signer.SigningPublicKeyset()
		if err != nil {
			return nil, err
		}
		ev.Signature = &Signature{Algorithm: "ED25519", KeyID: kid, PublicKeyset: pub, Value: sig}
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Verification is the result of VerifyDir.
type Verification struct {
	Dir       string   `json:"dir"`
	KeyID     string   `json:"key_id,omitempty"`
	Trusted   bool     `json:"trusted"` // signature checked against the keyset, not only the embedded public key
	Inputs    int      `json:"inputs"`
	Outputs   int      `json:"outputs"`
	Problems  []string `json:"problems"`
	Signature string   `json:"signature"` // ok | bad | missing
}

// VerifyDir checks a report folder: the signature of evidence.json (with
// trusted when given, else with the embedded public keyset and pub), the
// SHA-256 of every report file, and of every input still at its path. Any
// problem (a changed, missing or extra report file, a changed or missing
// input, no or a bad signature) fails with ErrVerify; every problem is
// listed.
func VerifyDir(dir string, trusted Verifier, pub PublicVerifier) (*Verification, error) {
	v := &Verification{Dir: dir, Problems: []string{}, Signature: "missing"}
	data, err := os.ReadFile(filepath.Join(dir, FileEvidence))
	if err != nil {
		v.Problems = append(v.Problems, fmt.Sprintf("%s: %v", FileEvidence, err))
		return v, fmt.Errorf("%w: %s", ErrVerify, v.Problems[0])
	}
	var ev Evidence
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil || ev.Format != EvidenceFormat {
		v.Problems = append(v.Problems, fmt.Sprintf("%s: not a %s manifest", FileEvidence, EvidenceFormat))
		return v, fmt.Errorf("%w: %s", ErrVerify, v.Problems[0])
	}
	v.Inputs, v.Outputs = len(ev.Inputs), len(ev.Outputs)
	if ev.Signature == nil {
		v.Problems = append(v.Problems, "the report is not signed")
	} else {
		v.KeyID = ev.Signature.KeyID
		msg, err := ev.signedBytes()
		switch {
		case err != nil:
			v.Signature = "bad"
		case trusted != nil:
			v.Trusted = true
			if err := trusted.VerifyReport(msg, ev.Signature.Value); err != nil {
				v.Signature = "bad"
			} else {
				v.Signature = "ok"
			}
		case pub != nil:
			if err := pub(ev.Signature.PublicKeyset, msg, ev.Signature.Value); err != nil {
				v.Signature = "bad"
			} else {
				v.Signature = "ok"
			}
		default:
			v.Signature = "unchecked"
		}
		if v.Signature != "ok" {
			v.Problems = append(v.Problems, fmt.Sprintf("signature by %s: %s (evidence.json was changed or another key signed it)", ev.Signature.KeyID, v.Signature))
		}
	}
	listed := map[string]bool{FileEvidence: true}
	for _, o := range ev.Outputs {
		listed[o.File] = true
		if filepath.Base(o.File) != o.File {
			v.Problems = append(v.Problems, fmt.Sprintf("report file %q: not a plain file name", o.File))
			continue
		}
		n, sum, err := HashFile(filepath.Join(dir, o.File))
		switch {
		case err != nil:
			v.Problems = append(v.Problems, fmt.Sprintf("report file %s: %v", o.File, err))
		case sum != o.SHA256 || n != o.Size:
			v.Problems = append(v.Problems, fmt.Sprintf("report file %s: SHA-256 %s, signed %s (changed after signing)", o.File, sum[:16], o.SHA256[:16]))
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !listed[e.Name()] && e.Type().IsRegular() {
			v.Problems = append(v.Problems, fmt.Sprintf("report file %s: not in the signed manifest", e.Name()))
		}
	}
	for _, in := range ev.Inputs {
		p := in.Path
		if in.Copy != "" {
			if filepath.Base(in.Copy) != in.Copy {
				v.Problems = append(v.Problems, fmt.Sprintf("input copy %q: not a plain file name", in.Copy))
				continue
			}
			p = filepath.Join(dir, in.Copy)
		}
		n, sum, err := HashFile(p)
		switch {
		case err != nil:
			v.Problems = append(v.Problems, fmt.Sprintf("input %s %s (%s): cannot be read: %v", in.Kind, in.Name, in.Path, err))
		case sum != in.SHA256 || n != in.Size:
			v.Problems = append(v.Problems, fmt.Sprintf("input %s %s (%s): SHA-256 %s, recorded %s (changed since the audit)", in.Kind, in.Name, in.Path, sum[:16], in.SHA256[:16]))
		}
	}
	if len(v.Problems) > 0 {
		return v, fmt.Errorf("%w: %d problem(s), first: %s", ErrVerify, len(v.Problems), v.Problems[0])
	}
	return v, nil
}
