package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// DirTarget stores objects as files under a directory (a mounted disk, a
// network share). Put writes a hidden temporary file, fsyncs it and renames
// it into place, so an object is visible only complete.
type DirTarget struct {
	name string
	root string
}

// NewDirTarget returns a directory target rooted at root (created with mode
// 0700 if missing).
func NewDirTarget(name, root string) (*DirTarget, error) {
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("%w: dir target %s: path %q is not absolute", ErrConfig, name, root)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("backup: dir target %s: %w", name, err)
	}
	return &DirTarget{name: name, root: root}, nil
}

// Name returns the target's name.
func (d *DirTarget) Name() string { return d.name }

func (d *DirTarget) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	for _, seg := range strings.Split(key, "/") {
		if strings.HasPrefix(seg, ".vigil-tmp-") {
			return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put implements Target.
func (d *DirTarget) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: %s: %w", d.name, err)
	}
	f, err := os.CreateTemp(dir, ".vigil-tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %s: %w", d.name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	_, err = io.Copy(f, &ctxReader{ctx: ctx, r: &countingReader{r: r, want: size}})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("backup: %s: put %s: %w", d.name, key, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("backup: %s: put %s: %w", d.name, key, err)
	}
	return atomicfile.SyncDir(dir)
}

// Get implements Target.
func (d *DirTarget) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %s", ErrNotExist, d.name, key)
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %s: %w", d.name, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %s", ErrNotExist, d.name, key)
	}
	return f, nil
}

// Stat implements Target.
func (d *DirTarget) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := d.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
		return ObjectInfo{}, fmt.Errorf("%w: %s: %s", ErrNotExist, d.name, key)
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("backup: %s: %w", d.name, err)
	}
	return ObjectInfo{Key: key, Size: st.Size(), Modified: st.ModTime()}, nil
}

// List implements Target.
func (d *DirTarget) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".vigil-tmp-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, ObjectInfo{Key: key, Size: info.Size(), Modified: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %s: list: %w", d.name, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete implements Target.
func (d *DirTarget) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %s: delete %s: %w", d.name, key, err)
	}
	// Remove directories left empty, up to the root.
	for dir := filepath.Dir(p); dir != d.root && strings.HasPrefix(dir, d.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
