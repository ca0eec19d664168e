package backup

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configure an S3-compatible target.
type S3Options struct {
	Endpoint  string // http:// or https:// URL of the service
	Bucket    string
	Prefix    string // key prefix inside the bucket, e.g. "prod/"
	Region    string
	AccessKey string
	SecretKey string
	PathStyle bool   // path-style addressing (most self-hosted servers)
	CAFile    string // extra CA certificates (PEM) to trust; TLS is always verified
}

// S3Target stores objects in an S3-compatible bucket (AWS S3, MinIO,
// SeaweedFS, Ceph RGW, ...). A PUT becomes visible only complete
// (multipart uploads too), which is what the Target contract asks.
type S3Target struct {
	name   string
	bucket string
	prefix string
	c      *minio.Client
}

// NewS3Target returns an S3 target. TLS certificates are always verified.
func NewS3Target(name string, o S3Options) (*S3Target, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: s3 target %s: endpoint must be an http:// or https:// URL", ErrConfig, name)
	}
	if o.Bucket == "" {
		return nil, fmt.Errorf("%w: s3 target %s: bucket is missing", ErrConfig, name)
	}
	if o.AccessKey == "" || o.SecretKey == "" {
		return nil, fmt.Errorf("%w: s3 target %s: credentials are missing (set the variables named by access_key_env and secret_key_env)", ErrConfig, name)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: s3 target %s: ca_file: %v", ErrConfig, name, err)
		}
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: s3 target %s: ca_file holds no PEM certificate", ErrConfig, name)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: lookup,
		Transport:    tr,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: s3 target %s: %v", ErrConfig, name, err)
	}
	p := strings.Trim(o.Prefix, "/")
	if p != "" {
		p += "/"
	}
	return &S3Target{name: name, bucket: o.Bucket, prefix: p, c: c}, nil
}

// Name returns the target's name.
func (s *S3Target) Name() string { return s.name }

func (s *S3Target) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if r := minio.ToErrorResponse(err); r.Code == "NoSuchKey" || r.StatusCode == http.StatusNotFound && r.Code != "NoSuchBucket" {
		return fmt.Errorf("%w: %s: %s", ErrNotExist, s.name, key)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("backup: %s: %s %s: %w", s.name, op, key, err)
}

// Put implements Target.
func (s *S3Target) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	info, err := s.c.PutObject(ctx, s.bucket, s.prefix+key, &countingReader{r: r, want: size}, size,
		minio.PutObjectOptions{ContentType: "application/octet-stream", SendContentMd5: true,
			// Plain (not aws-chunked) bodies: every S3 server reads them; integrity
			// comes from Content-MD5 here and the SHA-256 read-back in Copy.
			DisableContentSha256: true})
	if err != nil {
		return s.wrap("put", key, err)
	}
	if info.Size != size {
		return fmt.Errorf("%w: %s: put %s stored %d bytes, want %d", ErrVerify, s.name, key, info.Size, size)
	}
	return nil
}

// Get implements Target.
func (s *S3Target) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.wrap("get", key, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s.wrap("get", key, err)
	}
	return obj, nil
}

// Stat implements Target.
func (s *S3Target) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := CheckKey(key); err != nil {
		return ObjectInfo{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.wrap("stat", key, err)
	}
	return ObjectInfo{Key: key, Size: st.Size, Modified: st.LastModified}, nil
}

// List implements Target.
func (s *S3Target) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []ObjectInfo
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, s.wrap("list", prefix, o.Err)
		}
		key := strings.TrimPrefix(o.Key, s.prefix)
		if strings.HasSuffix(key, "/") {
			continue // directory markers some servers return
		}
		out = append(out, ObjectInfo{Key: key, Size: o.Size, Modified: o.LastModified})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete implements Target.
func (s *S3Target) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	err := s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil {
		if errors.Is(s.wrap("delete", key, err), ErrNotExist) {
			return nil
		}
		return s.wrap("delete", key, err)
	}
	return nil
}

// EnsureBucket creates the bucket if it does not exist (for tests and
// first setup).
func (s *S3Target) EnsureBucket(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("backup: %s: %w", s.name, err)
	}
	if ok {
		return nil
	}
	if err := s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("backup: %s: make bucket: %w", s.name, err)
	}
	return nil
}
