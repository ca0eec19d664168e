package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	aesgcmpb "github.com/tink-crypto/tink-go/v2/proto/aes_gcm_go_proto"
	hmacpb "github.com/tink-crypto/tink-go/v2/proto/hmac_go_proto"
	hmacprfpb "github.com/tink-crypto/tink-go/v2/proto/hmac_prf_go_proto"
	"google.golang.org/protobuf/proto"
)

// rawKeys digs every secret out of a keyring (test only): the Tink key values
// and the metadata MAC key.
func rawKeys(t *testing.T, k *Keyring) [][]byte {
	t.Helper()
	st := k.load()
	out := [][]byte{st.sec.macKey}
	for p, h := range st.sec.handles {
		for _, key := range insecurecleartextkeyset.KeysetMaterial(h).GetKey() {
			v := key.GetKeyData().GetValue()
			var m interface {
				proto.Message
				GetKeyValue() []byte
			}
			switch p {
			case PurposeWrap:
				m = &aesgcmpb.AesGcmKey{}
			case PurposeManifest:
				m = &hmacpb.HmacKey{}
			case PurposePseudonym:
				m = &hmacprfpb.HmacPrfKey{}
			}
			if err := proto.Unmarshal(v, m); err != nil {
				t.Fatal(err)
			}
			if len(m.GetKeyValue()) != 32 {
				t.Fatalf("%s key value is %d bytes", p, len(m.GetKeyValue()))
			}
			out = append(out, m.GetKeyValue())
		}
	}
	return out
}

// assertNoSecret fails if s contains any secret in raw, hex or base64 form,
// or a sizeable piece of one.
func assertNoSecret(t *testing.T, what, s string, secrets [][]byte, passphrases ...string) {
	t.Helper()
	for _, sec := range secrets {
		for _, form := range []string{
			string(sec[:12]), string(sec[len(sec)-12:]),
			hex.EncodeToString(sec[:8]), hex.EncodeToString(sec[len(sec)-8:]),
			fmt.Sprintf("%X", sec[:8]),
			base64.StdEncoding.EncodeToString(sec)[:12], base64.RawURLEncoding.EncodeToString(sec)[:12],
			fmt.Sprint(sec[:6])[1:], // "[1 2 3 ..." as printed by %v
		} {
			if strings.Contains(s, form) {
				t.Errorf("%s leaks key material (%q): %s", what, form, s)
			}
		}
	}
	for _, p := range passphrases {
		if strings.Contains(s, p) {
			t.Errorf("%s leaks the passphrase: %s", what, s)
		}
	}
}

func TestRedaction(t *testing.T) {
	const pass = "Zebra-Quartz-Lantern-42"
	k, path, u := initPassphrase(t, pass)
	if _, err := k.Rotate(context.Background(), PurposeWrap, t0); err != nil {
		t.Fatal(err)
	}
	secrets := rawKeys(t, k)
	if len(secrets) != 5 {
		t.Fatalf("found %d secrets, want 5", len(secrets))
	}

	outputs := map[string]string{
		"fmt":     fmt.Sprintf("%v %+v %#v %s %q %x", k, k, k, k, k, k),
		"info":    fmt.Sprintf("%v %+v %#v", k.Info(), k.Info(), k.Info()),
		"state":   fmt.Sprintf("%v %+v %#v", k.load(), k.load(), k.load()),
		"secrets": fmt.Sprintf("%v %+v %#v", k.load().sec, k.load().sec, k.load().sec),
		"unlock":  fmt.Sprintf("%v %+v %#v", u, u, u),
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("opened", "keyring", k)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("opened", "keyring", k)
	outputs["slog"] = logBuf.String()
	file, _ := os.ReadFile(path)
	outputs["keyset file"] = string(file)

	for what, s := range outputs {
		assertNoSecret(t, what, s, secrets, pass)
	}
	if !strings.Contains(outputs["fmt"], k.PrimaryKeyID(PurposeWrap)) || !strings.Contains(outputs["fmt"], path) {
		t.Errorf("String lacks the useful summary: %s", outputs["fmt"])
	}
	if !strings.Contains(outputs["slog"], k.PrimaryKeyID(PurposeManifest)) {
		t.Errorf("LogValue lacks the summary: %s", outputs["slog"])
	}

	// Errors from every failing path.
	ctx := context.Background()
	t.Setenv("OTHER_PASS", pass+"x")
	var errs []error
	_, err := Open(ctx, path, Unlock{PassphraseEnv: "OTHER_PASS"})
	errs = append(errs, err)
	_, err = k.UnwrapKey([]byte{1, 2, 3, 4, 5, 6}, nil)
	errs = append(errs, err)
	err = k.Verify([]byte("m"), []byte{1, 0, 0, 0, 1, 9, 9})
	errs = append(errs, err)
	_, err = k.Token("", nil)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("error %d is nil", i)
		}
		assertNoSecret(t, fmt.Sprintf("error %d", i), fmt.Sprintf("%v %+v %#v", err, err, err), secrets, pass, pass+"x")
	}
}
