package backup

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/internal/s3test"
)

type s3srv struct{ *s3test.Server }

func startS3(t *testing.T) *s3srv { return &s3srv{s3test.Start(t)} }

// target returns an S3 target on one shared bucket under its own prefix
// (SeaweedFS gives every bucket its own volumes).
func (s *s3srv) target(t *testing.T, prefix string) *S3Target {
	t.Helper()
	tg, err := NewS3Target("s3", S3Options{Endpoint: s.Endpoint, Bucket: "vigil-test", Prefix: "vigil/" + prefix + "/", Region: "us-east-1",
		AccessKey: s.AccessKey, SecretKey: s.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tg.EnsureBucket(ctx); err != nil {
		t.Fatal(err)
	}
	return tg
}
