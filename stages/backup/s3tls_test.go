package backup

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/internal/s3test"
)

// testCA writes a self-signed CA and a loopback server certificate it
// signs into dir; it returns the CA's PEM file, the server's cert and key
// files, and the CA pool.
func testCA(t *testing.T, dir, name string) (caFile, certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	write := func(file, typ string, der []byte) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pool = x509.NewCertPool()
	pool.AddCert(caCert)
	return write(name+"-ca.pem", "CERTIFICATE", caDER), write(name+"-server.pem", "CERTIFICATE", srvDER),
		write(name+"-server.key", "EC PRIVATE KEY", keyDER), pool
}

// The S3 target verifies TLS: against weed serving TLS with a private CA,
// it refuses the server without ca_file or with another CA, and works
// (the conformance suite passes) with the right ca_file.
func TestS3TargetPrivateCA(t *testing.T) {
	dir := t.TempDir()
	caFile, certFile, keyFile, pool := testCA(t, dir, "good")
	otherCA, _, _, _ := testCA(t, dir, "other")
	srv := s3test.StartTLS(t, s3test.TLS{CertFile: certFile, KeyFile: keyFile, Roots: pool})
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
