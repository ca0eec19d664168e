// Package s3test starts a throwaway S3-compatible server on loopback for
// tests that need a real object store (no mocks): SeaweedFS's "weed server
// -s3" (found in $VIGIL_WEED, $PATH, /usr/local/bin or /tmp/weed-bin;
// .ci/run builds it at a pinned version), else the s3rver npm package
// ($VIGIL_S3RVER, $PATH or /tmp/s3rver/node_modules/.bin) as a lighter
// fallback. A test on a machine without either is skipped, unless CI is
// set, where it fails.
package s3test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Credentials of the weed test server's only identity (Server.AccessKey
// and Server.SecretKey hold the running server's).
const (
	AccessKey = "vigiltestaccesskey01"
	SecretKey = "vigiltestsecretkey0123456789abcdefghijkl"
)

// s3rverBinary returns the path of the s3rver CLI, or "".
func s3rverBinary() string {
	if p := os.Getenv("VIGIL_S3RVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("s3rver"); err == nil {
		return p
	}
	if p := "/tmp/s3rver/node_modules/.bin/s3rver"; isExec(p) {
		return p
	}
	return ""
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Binary returns the path of the weed binary, or "".
func Binary() string {
	if p := os.Getenv("VIGIL_WEED"); p != "" {
		return p
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/local/bin/weed", "/tmp/weed-bin/weed"} {
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Server is a running test server.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	Port      int
	AccessKey string
	SecretKey string
	Kind      string // weed or s3rver
	Dir       string
	bin       string
	args      []string
	mu        sync.Mutex
	cmd       *exec.Cmd
	done      chan struct{}
	log       *os.File
	client    *http.Client // readiness probe; default http.DefaultClient
}

// Start starts a server with its data in a temporary directory and stops it
// when the test ends. It waits (at most 90 s) until S3 answers.
func Start(t testing.TB) *Server { return start(t, nil) }

// TLS is a certificate and key (PEM files) for StartTLS, and the CA pool
// that verifies them (for the readiness probe).
type TLS struct {
	CertFile, KeyFile string
	CAFile            string // the CA certificate (PEM), for a client's ca_file
	Roots             *x509.CertPool
}

// NewTLS makes a throwaway CA and a certificate it signs for 127.0.0.1,
// written as PEM files into dir (name prefixes the file names).
func NewTLS(t testing.TB, dir, name string) TLS {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
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
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return TLS{CAFile: write(name+"-ca.pem", "CERTIFICATE", caDER), CertFile: write(name+"-server.pem", "CERTIFICATE", srvDER),
		KeyFile: write(name+"-server.key", "EC PRIVATE KEY", keyDER), Roots: pool}
}

// StartTLS starts weed with S3 served over TLS on loopback with the given
// certificate (Endpoint is https://127.0.0.1:PORT). It needs weed; the
// s3rver stand-in is not used.
func StartTLS(t testing.TB, tc TLS) *Server {
	t.Helper()
	if Binary() == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SeaweedFS weed binary not found, and CI is set")
		}
		t.Skip("SeaweedFS weed binary not found (TLS needs weed); skipping")
	}
	return start(t, &tc)
}

func start(t testing.TB, tc *TLS) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if rv := s3rverBinary(); rv != "" {
			return startS3rver(t, rv)
		}
		if os.Getenv("CI") != "" {
			t.Fatal("SeaweedFS weed binary not found (VIGIL_WEED, PATH, /usr/local/bin, /tmp/weed-bin), and CI is set")
		}
		t.Skip("SeaweedFS weed binary (or s3rver) not found (set VIGIL_WEED or install it as .ci/run does); skipping")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "s3.json")
	conf := fmt.Sprintf(`{"identities":[{"name":"vigil","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","List","Tagging","Write"]}]}`, AccessKey, SecretKey)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	ports := freePorts(t, 4)
	s := &Server{Port: ports[3], Dir: dir, bin: bin, AccessKey: AccessKey, SecretKey: SecretKey, Kind: "weed"}
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(s.Port)
	s.args = []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + strconv.Itoa(ports[0]), "-volume.port=" + strconv.Itoa(ports[1]),
		"-filer.port=" + strconv.Itoa(ports[2]), "-s3", "-s3.port=" + strconv.Itoa(ports[3]),
		"-s3.config=" + cfg, "-filer", "-master.telemetry=false", "-master.volumeSizeLimitMB=16",
		"-volume.max=200"}
	if tc != nil {
		s.args = append(s.args, "-s3.cert.file="+tc.CertFile, "-s3.key.file="+tc.KeyFile)
		s.Endpoint = "https://127.0.0.1:" + strconv.Itoa(s.Port)
		s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.Roots, MinVersion: tls.VersionTLS12}}}
	}
	s.start(t)
	t.Cleanup(s.Stop)
	return s
}

// startS3rver starts the s3rver fallback (credentials S3RVER/S3RVER).
func startS3rver(t testing.TB, bin string) *Server {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	port := freePorts(t, 1)[0]
	s := &Server{Port: port, Dir: dir, bin: bin, AccessKey: "S3RVER", SecretKey: "S3RVER", Kind: "s3rver"}
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	s.args = []string{"-d", data, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-s", "--no-vhost-buckets"}
	s.start(t)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(s.Dir, "weed.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.cmd, s.log, s.done = cmd, logf, make(chan struct{})
	done := s.done
	s.mu.Unlock()
	go func() { cmd.Wait(); close(done) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-done:
			b, _ := os.ReadFile(filepath.Join(s.Dir, "weed.log"))
			t.Fatalf("weed exited early:\n%s", tail(b, 3000))
		default:
		}
		if s.ready() {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			b, _ := os.ReadFile(filepath.Join(s.Dir, "weed.log"))
			t.Fatalf("weed S3 did not answer within 90 s:\n%s", tail(b, 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ready reports whether S3 answers with an S3 status (403 for an anonymous
// request counts: the gateway is up and checking credentials).
func (s *Server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
	c := s.client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusForbidden
}

// Kill stops the server at once (SIGKILL to its process group), as a
// crash or a lost connection would.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// Restart starts the server again on the same ports and data after Kill.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	s.start(t)
}

// Stop stops the server (SIGTERM, then SIGKILL after 5 s).
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done, logf := s.cmd, s.done, s.log
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	if logf != nil {
		logf.Close()
	}
}

// freePorts returns n loopback ports that are free, and whose +10000 gRPC
// companions are free too (weed derives its gRPC ports that way).
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	seen := map[int]bool{}
	for tries := 0; len(out) < n && tries < 500; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if p+10000 > 65535 || seen[p] {
			continue
		}
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			continue
		}
		l2.Close()
		seen[p] = true
		out = append(out, p)
	}
	if len(out) < n {
		t.Fatal("no free loopback ports")
	}
	return out
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// MakeBucket creates a bucket on the server (operators create theirs; the
// backup stage never creates one, so a misspelt name fails loudly).
func (s *Server) MakeBucket(t testing.TB, bucket string) {
	t.Helper()
	o := &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), BucketLookup: minio.BucketLookupPath, Region: "us-east-1"}
	if s.client != nil {
		o.Secure, o.Transport = true, s.client.Transport
	}
	c, err := minio.New("127.0.0.1:"+strconv.Itoa(s.Port), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatalf("make bucket %s: %v", bucket, err)
	}
}
