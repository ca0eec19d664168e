package backup

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/internal/s3test"
)

// The S3 target verifies TLS: against weed serving TLS with a private CA,
// it refuses the server without ca_file or with another CA, and works
// (the conformance suite passes) with the right ca_file.
func TestS3TargetPrivateCA(t *testing.T) {
	dir := t.TempDir()
	good := s3test.NewTLS(t, dir, "good")
	other := s3test.NewTLS(t, dir, "other")
	caFile, keyFile, otherCA := good.CAFile, good.KeyFile, other.CAFile
	srv := s3test.StartTLS(t, good)
	srv.MakeBucket(t, "vigil-tls")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	open := func(ca, prefix string) *S3Target {
		t.Helper()
		tg, err := NewS3Target("tls", S3Options{Endpoint: srv.Endpoint, Bucket: "vigil-tls", Prefix: prefix, Region: "us-east-1",
			AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true, CAFile: ca})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	for name, ca := range map[string]string{"system roots only": "", "another CA": otherCA} {
		err := open(ca, "x/").Put(ctx, "snapshots/t/a/f", bytes.NewReader([]byte("x")), 1)
		var uerr x509.UnknownAuthorityError
		if err == nil || (!errors.As(err, &uerr) && !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("%s: put over TLS = %v, want a certificate error", name, err)
		}
	}
	if _, err := NewS3Target("tls", S3Options{Endpoint: srv.Endpoint, Bucket: "b", AccessKey: "a", SecretKey: "b", CAFile: keyFile}); !errors.Is(err, ErrConfig) {
		t.Errorf("a key file as ca_file = %v, want ErrConfig", err)
	}
	n := 0
	conformance(t, func(t *testing.T) Target {
		n++
		return open(caFile, "c"+strings.Repeat("x", n)+"/")
	}, true)
}
