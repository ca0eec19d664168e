package query

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// LogFormat is the format version of the access log's lines.
const LogFormat = "vigil.querylog/v1"

// LogPath returns where the access log of a Vigil home lives.
func LogPath(home string) string { return filepath.Join(home, "logs", "query.jsonl") }

// Access log statuses.
const (
	StatusOK     = "ok"     // the statement ran; rows were returned
	StatusError  = "error"  // DuckDB refused or failed the statement
	StatusDenied = "denied" // Vigil refused the statement before it ran
)

// LogEntry is one line of the access log: who ran which kind of statement
// over which datasets, when, and how many rows it returned. It never holds
// the SQL text, which may contain personal data the analyst typed: only its
// SHA-256, so that a statement kept elsewhere can be matched.
type LogEntry struct {
	Format     string    `json:"format"`            // LogFormat
	Time       time.Time `json:"time"`              // when the statement started, UTC, RFC 3339 with nanoseconds
	User       string    `json:"user"`              // OS account of the process's effective uid: who ran it
	UID        *int      `json:"uid,omitempty"`     // effective uid of the process
	Label      string    `json:"label,omitempty"`   // display label ($VIGIL_USER); never the identity
	OSUser     string    `json:"os_user,omitempty"` // lines of earlier versions only: the OS user when user held a label
	Host       string    `json:"host"`              // host name
	Session    string    `json:"session"`           // random id of the Session
	Action     string    `json:"action"`            // always "query"
	Statement  string    `json:"statement"`         // statement type: SELECT, EXPLAIN, COPY, … or UNKNOWN
	SQLSHA256  string    `json:"sql_sha256"`        // hex SHA-256 of the statement text as given
	Tables     []string  `json:"tables"`            // datasets the statement names (never null)
	Rows       int64     `json:"rows"`              // rows returned to the analyst
	Truncated  bool      `json:"truncated,omitempty"`
	Output     string    `json:"output"`          // table, csv, json or ndjson
	Status     string    `json:"status"`          // ok, error or denied
	Error      string    `json:"error,omitempty"` // error class only (e.g. Parser, Catalog, Permission, refused), never the message
	DurationMS float64   `json:"duration_ms"`
}

// sqlDigest is the hex SHA-256 of a statement.
func sqlDigest(sql string) string {
	h := sha256.Sum256([]byte(sql))
	return hex.EncodeToString(h[:])
}

// accessLog appends entries to a JSON-lines file opened with O_APPEND, one
// write per line, so that concurrent writers never interleave a line.
type accessLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

func openAccessLog(path string) (*accessLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAccessLog, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAccessLog, err)
	}
	return &accessLog{f: f, path: path}, nil
}

func (l *accessLog) append(e *LogEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAccessLog, err)
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("%w: %s: closed", ErrAccessLog, l.path)
	}
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("%w: %v", ErrAccessLog, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("%w: %v", ErrAccessLog, err)
	}
	return nil
}

func (l *accessLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
