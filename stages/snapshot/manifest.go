package snapshot

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// FormatVersion is the manifest format written by this package.
const FormatVersion = 1

// ManifestName is the file name of the manifest inside a snapshot directory.
const ManifestName = "manifest.json"

// Encryption names the encryption mode of snapshot files.
const Encryption = "parquet-modular-encryption/AES_GCM_V1/encrypted-footer"

// File kinds.
const (
	KindData    = "data"
	KindRejects = "rejects"
	KindIndex   = "index"   // chain: key hash → row hash of a full snapshot (see chain.go)
	KindDeletes = "deletes" // chain: key hashes of rows deleted since the previous link
)

// Manifest describes one committed snapshot. It is stored as manifest.json
// next to the files and authenticated with Tag (see Manifest.CanonicalBytes).
type Manifest struct {
	Format       int               `json:"format"`
	Table        string            `json:"table"`
	Source       string            `json:"source"`
	ID           string            `json:"id"`
	Seq          int64             `json:"seq,omitempty"`    // place in the table's order, from the snapshot ledger (0: written before sequences); never from the clock
	RunID        string            `json:"run_id,omitempty"` // the run (snapshot set) that wrote it
	Created      time.Time         `json:"created"`
	Rows         int64             `json:"rows"`
	RowsRead     int64             `json:"rows_read"`
	RowsRejected int64             `json:"rows_rejected"`
	Schema       []Column          `json:"schema"`
	NullCounts   map[string]int64  `json:"null_counts"`
	Digest       string            `json:"digest"`
	Encryption   string            `json:"encryption"`
	Compression  string            `json:"compression"`
	Files        []File            `json:"files"`
	Extra        map[string]string `json:"extra,omitempty"`
	// Chain is set on change-only snapshots (see chain.go); nil on
	// snapshots that stand alone.
	Chain *Chain `json:"chain,omitempty"`
	// Tag is the base64 MAC over CanonicalBytes, made by the keyset's
	// manifest authentication key.
	Tag string `json:"tag,omitempty"`

	// fileSHA256 is the hex SHA-256 of manifest.json as read (not stored).
	fileSHA256 string
}

// FileSHA256 returns the hex SHA-256 of manifest.json as it was read from
// disk ("" for a manifest not read from a file).
func (m *Manifest) FileSHA256() string { return m.fileSHA256 }

// Column is one column of a snapshot's schema. Type is the Arrow type
// string (arrow.DataType.String), e.g. "utf8", "decimal(18, 2)",
// "timestamp[us, tz=UTC]".
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// File is one encrypted Parquet file of a snapshot.
type File struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"` // KindData, KindRejects, KindIndex or KindDeletes
	Rows       int64  `json:"rows"`
	SHA256     string `json:"sha256"` // hex SHA-256 of the encrypted file
	Size       int64  `json:"size"`
	KeyID      string `json:"key_id"`
	WrappedKey string `json:"wrapped_key"` // base64 data key wrapped by the keyset
}

// Ref returns "<table>/<id>".
func (m *Manifest) Ref() string { return m.Table + "/" + m.ID }

// DataFiles returns the files of kind data in order.
func (m *Manifest) DataFiles() []File { return m.filesOf(KindData) }

// RejectFiles returns the files of kind rejects in order.
func (m *Manifest) RejectFiles() []File { return m.filesOf(KindRejects) }

func (m *Manifest) filesOf(kind string) []File {
	var out []File
	for _, f := range m.Files {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// File returns the entry for name.
func (m *Manifest) File(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// CanonicalBytes returns the bytes the tag authenticates: the compact JSON
// encoding of the manifest (fields in declaration order, map keys sorted,
// no HTML escaping, no trailing newline) without the tag field.
func (m *Manifest) CanonicalBytes() ([]byte, error) {
	c := *m
	c.Tag = ""
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Sign sets Tag using auth.
func (m *Manifest) Sign(auth Authenticator) error {
	msg, err := m.CanonicalBytes()
	if err != nil {
		return err
	}
	tag, err := auth.Sign(msg)
	if err != nil {
		return fmt.Errorf("snapshot: sign manifest: %w", err)
	}
	m.Tag = base64.StdEncoding.EncodeToString(tag)
	return nil
}

// Authenticate checks Tag with auth and returns an error wrapping
// ErrManifestTampered if it does not match.
func (m *Manifest) Authenticate(auth Authenticator) error {
	if m.Tag == "" {
		return &FileError{File: ManifestName, Err: ErrManifestTampered, Detail: "no authentication tag"}
	}
	tag, err := base64.StdEncoding.DecodeString(m.Tag)
	if err != nil {
		return &FileError{File: ManifestName, Err: ErrManifestTampered, Detail: "tag is not base64"}
	}
	msg, err := m.CanonicalBytes()
	if err != nil {
		return err
	}
	if err := auth.Verify(msg, tag); err != nil {
		return &FileError{File: ManifestName, Err: ErrManifestTampered, Detail: "the manifest was changed or was not signed by this keyset"}
	}
	return nil
}

// Marshal returns the manifest as stored on disk (indented JSON).
func (m *Manifest) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	idPattern       = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$`)
	filePattern     = regexp.MustCompile(`^(data|rejects|index|deletes)-[0-9]{5,}\.parquet$`)
	digestPattern   = regexp.MustCompile(`^v1:[0-9a-f]{32}$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	maxManifestSize = int64(64 << 20)
)

// ValidTable reports whether name can be used as a table name: 1..200
// bytes of valid UTF-8 without path separators, control characters or a
// leading dot.
func ValidTable(name string) error {
	if name == "" || len(name) > 200 || !utf8.ValidString(name) || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, `/\:`) {
		return fmt.Errorf("%w: table %q", ErrInvalidName, name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: table %q", ErrInvalidName, name)
		}
	}
	return nil
}

// ValidID reports whether id has the form of a snapshot id
// (20261122T021500Z-3f9a1c).
func ValidID(id string) bool { return idPattern.MatchString(id) }

// ParseManifest parses and validates a manifest without authenticating it.
// Unknown fields are errors. Errors wrap ErrManifestInvalid.
func ParseManifest(b []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifestInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the manifest object", ErrManifestInvalid)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifestInvalid, err)
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	if m.Format != FormatVersion {
		return fmt.Errorf("format %d not supported (want %d)", m.Format, FormatVersion)
	}
	if err := ValidTable(m.Table); err != nil {
		return err
	}
	if !ValidID(m.ID) {
		return fmt.Errorf("bad snapshot id %q", m.ID)
	}
	if m.Created.IsZero() {
		return errors.New("created is missing")
	}
	if m.Seq < 0 {
		return errors.New("negative sequence number")
	}
	if m.Rows < 0 || m.RowsRead < 0 || m.RowsRejected < 0 {
		return errors.New("negative row count")
	}
	if m.Chain.standsAlone() && m.RowsRead != m.Rows+m.RowsRejected {
		return fmt.Errorf("rows_read %d is not rows %d + rows_rejected %d", m.RowsRead, m.Rows, m.RowsRejected)
	}
	if len(m.Schema) == 0 {
		return errors.New("schema has no columns")
	}
	cols := make(map[string]bool, len(m.Schema))
	for _, c := range m.Schema {
		if c.Name == "" || c.Type == "" {
			return errors.New("schema column without name or type")
		}
		if cols[c.Name] {
			return fmt.Errorf("duplicate column %q", c.Name)
		}
		cols[c.Name] = true
	}
	for name, n := range m.NullCounts {
		if !cols[name] {
			return fmt.Errorf("null count for unknown column %q", name)
		}
		if n < 0 || n > m.Rows {
			return fmt.Errorf("null count %d out of range for column %q", n, name)
		}
	}
	if !digestPattern.MatchString(m.Digest) {
		return fmt.Errorf("bad digest %q", m.Digest)
	}
	var dataRows, rejRows, delRows int64
	names := make(map[string]bool, len(m.Files))
	nData := 0
	for _, f := range m.Files {
		if !filePattern.MatchString(f.Name) || !strings.HasPrefix(f.Name, f.Kind+"-") {
			return fmt.Errorf("bad file name %q for kind %q", f.Name, f.Kind)
		}
		if names[f.Name] {
			return fmt.Errorf("duplicate file %q", f.Name)
		}
		names[f.Name] = true
		if f.Rows < 0 || f.Size < 0 {
			return fmt.Errorf("file %s: negative rows or size", f.Name)
		}
		if !sha256Pattern.MatchString(f.SHA256) {
			return fmt.Errorf("file %s: bad sha256", f.Name)
		}
		if _, err := base64.StdEncoding.DecodeString(f.WrappedKey); err != nil || f.WrappedKey == "" {
			return fmt.Errorf("file %s: bad wrapped key", f.Name)
		}
		switch f.Kind {
		case KindData:
			dataRows += f.Rows
			nData++
		case KindRejects:
			rejRows += f.Rows
		case KindDeletes:
			delRows += f.Rows
		}
	}
	if m.Chain != nil {
		if err := m.validateChain(dataRows, rejRows, delRows, nData); err != nil {
			return err
		}
		if !m.Chain.standsAlone() {
			return nil
		}
	}
	if nData == 0 {
		return errors.New("no data files")
	}
	if dataRows != m.Rows {
		return fmt.Errorf("data files hold %d rows, manifest says %d", dataRows, m.Rows)
	}
	if rejRows != m.RowsRejected {
		return fmt.Errorf("reject files hold %d rows, manifest says %d", rejRows, m.RowsRejected)
	}
	return nil
}

// SchemaColumns describes schema as manifest columns.
func SchemaColumns(schema *arrow.Schema) []Column {
	cols := make([]Column, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = Column{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return cols
}

// CheckColumns compares schema with the manifest's columns and returns an
// error wrapping ErrSchemaMismatch that lists every difference.
func (m *Manifest) CheckColumns(schema *arrow.Schema) error {
	got := SchemaColumns(schema)
	var diffs []string
	if len(got) != len(m.Schema) {
		diffs = append(diffs, fmt.Sprintf("%d columns, manifest has %d", len(got), len(m.Schema)))
	}
	for i := 0; i < len(got) && i < len(m.Schema); i++ {
		if got[i] != m.Schema[i] {
			diffs = append(diffs, fmt.Sprintf("column %d is %s %s nullable=%t, manifest has %s %s nullable=%t",
				i, got[i].Name, got[i].Type, got[i].Nullable, m.Schema[i].Name, m.Schema[i].Type, m.Schema[i].Nullable))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s", ErrSchemaMismatch, strings.Join(diffs, "; "))
	}
	return nil
}

// wrapAD returns the associated data binding a wrapped data key to its
// table, snapshot and file: "vigil/snapshot/dek/v1" NUL table NUL id NUL file.
func wrapAD(table, id, file string) []byte {
	var b bytes.Buffer
	b.WriteString("vigil/snapshot/dek/v1")
	for _, s := range []string{table, id, file} {
		b.WriteByte(0)
		b.WriteString(s)
	}
	return b.Bytes()
}

func sha256Hex(sum []byte) string { return hex.EncodeToString(sum) }

// ArrowSchema rebuilds the Arrow schema from the manifest's columns. It
// knows the types CheckSchema accepts.
func (m *Manifest) ArrowSchema() (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(m.Schema))
	for i, c := range m.Schema {
		dt, err := parseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: %v", ErrSchemaMismatch, c.Name, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: dt, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil), nil
}

var simpleTypes = map[string]arrow.DataType{
	"utf8": arrow.BinaryTypes.String, "large_utf8": arrow.BinaryTypes.LargeString,
	"binary": arrow.BinaryTypes.Binary, "large_binary": arrow.BinaryTypes.LargeBinary,
	"int8": arrow.PrimitiveTypes.Int8, "int16": arrow.PrimitiveTypes.Int16,
	"int32": arrow.PrimitiveTypes.Int32, "int64": arrow.PrimitiveTypes.Int64,
	"uint8": arrow.PrimitiveTypes.Uint8, "uint16": arrow.PrimitiveTypes.Uint16,
	"uint32": arrow.PrimitiveTypes.Uint32, "uint64": arrow.PrimitiveTypes.Uint64,
	"float32": arrow.PrimitiveTypes.Float32, "float64": arrow.PrimitiveTypes.Float64,
	"bool": arrow.FixedWidthTypes.Boolean, "date32": arrow.FixedWidthTypes.Date32,
	"timestamp[us]": &arrow.TimestampType{Unit: arrow.Microsecond},
}

func parseType(s string) (arrow.DataType, error) {
	if dt, ok := simpleTypes[s]; ok {
		return dt, nil
	}
	if tz, ok := strings.CutPrefix(s, "timestamp[us, tz="); ok && strings.HasSuffix(tz, "]") {
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: strings.TrimSuffix(tz, "]")}, nil
	}
	var p, sc int32
	if n, err := fmt.Sscanf(s, "decimal(%d, %d)", &p, &sc); err == nil && n == 2 {
		if p < 1 || p > 38 || sc < 0 || sc > p {
			return nil, fmt.Errorf("bad decimal %q", s)
		}
		dt := &arrow.Decimal128Type{Precision: p, Scale: sc}
		if dt.String() != s {
			return nil, fmt.Errorf("bad decimal %q", s)
		}
		return dt, nil
	}
	return nil, fmt.Errorf("unsupported type %q", s)
}
