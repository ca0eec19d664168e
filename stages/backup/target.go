package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Sentinel errors.
var (
	// ErrNotExist: the object does not exist. Get and Stat wrap it.
	ErrNotExist = errors.New("backup: object does not exist")
	// ErrInvalidKey: a key is empty, absolute, has "." or ".." segments,
	// backslashes or control characters.
	ErrInvalidKey = errors.New("backup: invalid object key")
	// ErrVerify: the remote copy's SHA-256 or size differs from the local file.
	ErrVerify = errors.New("backup: remote copy does not match")
	// ErrConfig: a target cannot be built from its configuration.
	ErrConfig = errors.New("backup: bad target configuration")
)

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Target is an off-site place that holds copies of snapshots: a directory,
// an S3 bucket. Keys are slash-separated relative paths
// ("snapshots/customers/<id>/data-00000.parquet").
//
// Contract (checked by the conformance suite every target passes):
//   - Put stores exactly size bytes read from r under key, replacing any
//     object there. The object becomes visible only complete: a reader
//     never sees a partial object, and a failed or cancelled Put leaves
//     the old object or none. Put reads exactly size bytes from r: if r
//     ends before, Put fails and stores nothing; bytes after size are not
//     read (callers hash what was read to catch a changed source).
//   - Get returns the object's bytes; a missing object is an error
//     wrapping ErrNotExist. The caller closes the reader.
//   - Stat returns the object's size; missing wraps ErrNotExist.
//   - List returns every object whose key starts with prefix, sorted by
//     key, complete (no paging left to the caller). Objects being written
//     by a Put in progress are not listed.
//   - Delete removes the object; deleting a missing object is not an
//     error.
//   - Every method honours ctx and is safe for concurrent use.
//   - Invalid keys are refused with ErrInvalidKey.
//
// Errors never contain credentials.
type Target interface {
	Name() string
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	Delete(ctx context.Context, key string) error
}

// CheckKey validates an object key.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, `\`) || len(key) > 900 {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return nil
}

// countingReader yields exactly want bytes of r and fails if r ends early.
type countingReader struct {
	r    io.Reader
	n    int64
	want int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.want || len(p) == 0 {
		return 0, io.EOF
	}
	if rest := c.want - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF && c.n != c.want {
		return n, fmt.Errorf("backup: source has %d bytes, %d announced", c.n, c.want)
	}
	return n, err
}
