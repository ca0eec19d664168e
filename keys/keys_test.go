package keys

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestInitOpenRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		init func(t *testing.T) (*Keyring, string, Unlock)
		prot string
	}{
		{"passphrase", func(t *testing.T) (*Keyring, string, Unlock) {
			return initPassphrase(t, "correct horse battery staple")
		}, "argon2id (time 1, memory 64 KiB, threads 1)"},
		{"keyfile", func(t *testing.T) (*Keyring, string, Unlock) { return initKeyFile(t) }, "key file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, path, u := tc.init(t)
			if got := k.Protection(); got != tc.prot {
				t.Errorf("Protection = %q, want %q", got, tc.prot)
			}
			info := k.Info()
			if len(info) != 3 {
				t.Fatalf("Info has %d keys, want 3: %+v", len(info), info)
			}
			for i, p := range Purposes() {
				ki := info[i]
				if ki.Purpose != p || !ki.Primary || ki.Status != StatusEnabled || !ki.Created.Equal(t0) {
					t.Errorf("Info[%d] = %+v", i, ki)
				}
				if !strings.HasPrefix(ki.ID, string(p)+"-") || k.PrimaryKeyID(p) != ki.ID {
					t.Errorf("Info[%d] id %q, PrimaryKeyID %q", i, ki.ID, k.PrimaryKeyID(p))
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Errorf("keyset file mode %04o, want 0600", fi.Mode().Perm())
			}

			dek := bytes.Repeat([]byte{7}, 32)
			id, wrapped, err := k.WrapKey(dek, []byte("table/snap-1"))
			if err != nil {
				t.Fatal(err)
			}
			tag, err := k.Sign([]byte("manifest"))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := k.Token("email", []byte("alice@example.com"))
			if err != nil {
				t.Fatal(err)
			}

			k2 := mustOpen(t, path, u)
			if got := k2.Info(); !equalInfo(got, info) {
				t.Errorf("Info after Open = %+v, want %+v", got, info)
			}
			got, err := k2.UnwrapKey(wrapped, []byte("table/snap-1"))
			if err != nil || !bytes.Equal(got, dek) {
				t.Fatalf("UnwrapKey after Open = %x, %v", got, err)
			}
			if id != k2.PrimaryKeyID(PurposeWrap) {
				t.Errorf("wrap key id %q, primary %q", id, k2.PrimaryKeyID(PurposeWrap))
			}
			if err := k2.Verify([]byte("manifest"), tag); err != nil {
				t.Errorf("Verify after Open: %v", err)
			}
			tok2, err := k2.Token("email", []byte("alice@example.com"))
			if err != nil || !bytes.Equal(tok, tok2) {
				t.Errorf("Token not stable across Open: %x vs %x (%v)", tok, tok2, err)
			}
		})
	}
}

func equalInfo(a, b []KeyInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Purpose != b[i].Purpose || a[i].ID != b[i].ID || a[i].Primary != b[i].Primary ||
			!a[i].Created.Equal(b[i].Created) || a[i].Status != b[i].Status {
			return false
		}
	}
	return true
}

// TestDefaultArgon2 runs the real default cost once.
func TestDefaultArgon2(t *testing.T) {
	if testing.Short() {
		t.Skip("default argon2id cost")
	}
	t.Setenv(testPassEnv, "a passphrase")
	u := Unlock{PassphraseEnv: testPassEnv}
	path := filepath.Join(t.TempDir(), "keyset.json")
	k, err := Init(context.Background(), path, u, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.Protection(), "argon2id (time 3, memory 65536 KiB, threads 2)"; got != want {
		t.Errorf("Protection = %q, want %q", got, want)
	}
}

func TestInitRefusesExisting(t *testing.T) {
	_, path, u := initKeyFile(t)
	before, _ := os.ReadFile(path)
	_, err := Init(context.Background(), path, u, t0)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Init over existing keyset: %v, want ErrExists naming the path", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("existing keyset was modified")
	}
	// Also when the check-then-link race is lost: writeFileAtomic itself refuses.
	if err := writeFileAtomic(path, []byte("x"), true); !errors.Is(err, ErrExists) {
		t.Errorf("writeFileAtomic noClobber: %v, want ErrExists", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestGenerateKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "vigil.key")
	if err := GenerateKeyFile(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	key, err := readKeyFile(p)
	if err != nil || len(key) != 32 {
		t.Fatalf("readKeyFile: %d bytes, %v", len(key), err)
	}
	before, _ := os.ReadFile(p)
	if err := GenerateKeyFile(p); !errors.Is(err, ErrExists) {
		t.Errorf("second GenerateKeyFile: %v, want ErrExists", err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("key file overwritten")
	}
	p2 := newKeyFile(t)
	other, _ := readKeyFile(p2)
	if bytes.Equal(key, other) {
		t.Error("two key files hold the same key")
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, passPath, _ := initPassphrase(t, "Tr0ub4dor-right")
	_, kfPath, kfUnlock := initKeyFile(t)
	otherKey := newKeyFile(t)

	dir := t.TempDir()
	writeKey := func(name string, content []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, _ := os.ReadFile(kfUnlock.KeyFile)
	worldReadable := writeKey("world.key", good, 0o644)
	groupReadable := writeKey("group.key", good, 0o640)
	short := writeKey("short.key", []byte("c2hvcnQ=\n"), 0o600)
	notBase64 := writeKey("junk.key", []byte("this is not base64 at all!!\n"), 0o600)

	tests := []struct {
		name      string
		path      string
		env       map[string]string
		u         Unlock
		want      error
		contains  []string
		posixOnly bool
	}{
		{name: "missing keyset", path: filepath.Join(dir, "nope.json"), u: kfUnlock, want: ErrNoKeyset,
			contains: []string{filepath.Join(dir, "nope.json"), "vigil keys init"}},
		{name: "wrong passphrase", path: passPath, env: map[string]string{"VP": "Tr0ub4dor-wrong"},
			u: Unlock{PassphraseEnv: "VP"}, want: ErrWrongPassphrase, contains: []string{passPath}},
		{name: "passphrase unset", path: passPath, u: Unlock{PassphraseEnv: "VIGIL_UNSET_VAR_FOR_TEST"},
			want: ErrNoPassphrase, contains: []string{"VIGIL_UNSET_VAR_FOR_TEST"}},
		{name: "passphrase empty", path: passPath, env: map[string]string{"VP": ""},
			u: Unlock{PassphraseEnv: "VP"}, want: ErrNoPassphrase, contains: []string{"VP"}},
		{name: "key file for passphrase keyset", path: passPath, u: kfUnlock, want: ErrWrongPassphrase,
			contains: []string{"passphrase", "key file"}},
		{name: "passphrase for key file keyset", path: kfPath, env: map[string]string{"VP": "x"},
			u: Unlock{PassphraseEnv: "VP"}, want: ErrWrongPassphrase},
		{name: "unset passphrase for key file keyset", path: kfPath,
			u: Unlock{PassphraseEnv: "VIGIL_UNSET_VAR_FOR_TEST"}, want: ErrWrongPassphrase, contains: []string{"protected by a key file"}},
		{name: "wrong key file", path: kfPath, u: Unlock{KeyFile: otherKey}, want: ErrWrongPassphrase},
		{name: "world-readable key file", path: kfPath, u: Unlock{KeyFile: worldReadable}, want: ErrInsecureKeyFile,
			contains: []string{worldReadable, "0644", "chmod 600"}, posixOnly: true},
		{name: "group-readable key file", path: kfPath, u: Unlock{KeyFile: groupReadable}, want: ErrInsecureKeyFile,
			contains: []string{groupReadable, "0640"}, posixOnly: true},
		{name: "short key file", path: kfPath, u: Unlock{KeyFile: short}, want: ErrBadKeyFile, contains: []string{short}},
		{name: "junk key file", path: kfPath, u: Unlock{KeyFile: notBase64}, want: ErrBadKeyFile},
		{name: "missing key file", path: kfPath, u: Unlock{KeyFile: filepath.Join(dir, "none.key")}, want: os.ErrNotExist},
		{name: "no unlock", path: kfPath, u: Unlock{}, want: ErrUnlockConfig},
		{name: "both unlocks", path: kfPath, u: Unlock{PassphraseEnv: "VP", KeyFile: kfUnlock.KeyFile}, want: ErrUnlockConfig},
		{name: "passphrase given as env name", path: passPath, u: Unlock{PassphraseEnv: "my secret pass"}, want: ErrUnlockConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.posixOnly && runtime.GOOS == "windows" {
				t.Skip("no POSIX permissions")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			k, err := Open(ctx, tc.path, tc.u)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, %v; want %v", k, err, tc.want)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			for _, secret := range []string{"Tr0ub4dor-wrong", "my secret pass", "Tr0ub4dor-right"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a passphrase", err)
				}
			}
		})
	}
}

func TestWrapUnwrap(t *testing.T) {
	k, _, _ := initKeyFile(t)
	other, _, _ := initKeyFile(t)
	dek := []byte("0123456789abcdef0123456789abcdef")
	ad := []byte("customers/20260102T030405Z")
	id, wrapped, err := k.WrapKey(dek, ad)
	if err != nil {
		t.Fatal(err)
	}
	if id != k.PrimaryKeyID(PurposeWrap) {
		t.Errorf("key id %q, want primary %q", id, k.PrimaryKeyID(PurposeWrap))
	}
	if got, ok := KeyIDOf(PurposeWrap, wrapped); !ok || got != id {
		t.Errorf("KeyIDOf = %q, %v; want %q", got, ok, id)
	}
	if bytes.Contains(wrapped, dek) {
		t.Error("wrapped key contains the data key")
	}
	_, wrapped2, _ := k.WrapKey(dek, ad)
	if bytes.Equal(wrapped, wrapped2) {
		t.Error("two wraps of the same key are identical (nonce reuse?)")
	}
	got, err := k.UnwrapKey(wrapped, ad)
	if err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("UnwrapKey = %q, %v", got, err)
	}

	tampered := bytes.Clone(wrapped)
	tampered[len(tampered)-1] ^= 1
	_, otherWrapped, _ := other.WrapKey(dek, ad)
	for _, tc := range []struct {
		name    string
		wrapped []byte
		ad      []byte
		want    []error
	}{
		{"associated data mismatch", wrapped, []byte("customers/other"), []error{ErrUnwrap}},
		{"nil associated data", wrapped, nil, []error{ErrUnwrap}},
		{"tampered", tampered, ad, []error{ErrUnwrap}},
		{"truncated", wrapped[:10], ad, []error{ErrUnwrap}},
		{"empty", nil, ad, []error{ErrUnwrap}},
		{"other keyset", otherWrapped, ad, []error{ErrUnwrap, ErrUnknownKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.UnwrapKey(tc.wrapped, tc.ad)
			if got != nil {
				t.Errorf("UnwrapKey returned %d bytes", len(got))
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("UnwrapKey error %v, want %v", err, w)
				}
			}
		})
	}
	if _, _, err := k.WrapKey(nil, ad); err == nil {
		t.Error("WrapKey of an empty key succeeded")
	}
}

func TestSignVerify(t *testing.T) {
	k, _, _ := initKeyFile(t)
	other, _, _ := initKeyFile(t)
	msg := []byte(`{"format":1,"table":"customers"}`)
	tag, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := KeyIDOf(PurposeManifest, tag); got != k.PrimaryKeyID(PurposeManifest) {
		t.Errorf("tag key id %q, want %q", got, k.PrimaryKeyID(PurposeManifest))
	}
	if err := k.Verify(msg, tag); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	otherTag, _ := other.Sign(msg)
	badTag := bytes.Clone(tag)
	badTag[7] ^= 0x80
	for _, tc := range []struct {
		name     string
		msg, tag []byte
		alsoIs   error
	}{
		{"edited message", []byte(`{"format":1,"table":"customerz"}`), tag, nil},
		{"edited tag", msg, badTag, nil},
		{"empty tag", msg, nil, nil},
		{"other keyset", msg, otherTag, ErrUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := k.Verify(tc.msg, tc.tag)
			if !errors.Is(err, ErrBadMAC) {
				t.Errorf("Verify = %v, want ErrBadMAC", err)
			}
			if tc.alsoIs != nil && !errors.Is(err, tc.alsoIs) {
				t.Errorf("Verify = %v, want also %v", err, tc.alsoIs)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	k, path, u := initKeyFile(t)
	other, _, _ := initKeyFile(t)
	tok := func(k *Keyring, label, data string) []byte {
		t.Helper()
		b, err := k.Token(label, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != TokenSize {
			t.Fatalf("token is %d bytes, want %d", len(b), TokenSize)
		}
		return b
	}
	a := tok(k, "email", "alice@example.com")
	if !bytes.Equal(a, tok(k, "email", "alice@example.com")) {
		t.Error("Token not deterministic")
	}
	if !bytes.Equal(a, tok(mustOpen(t, path, u), "email", "alice@example.com")) {
		t.Error("Token differs after Open")
	}
	if bytes.Equal(a, tok(other, "email", "alice@example.com")) {
		t.Error("Token equal under another keyset")
	}
	if bytes.Equal(a, tok(k, "phone", "alice@example.com")) {
		t.Error("Token equal under another label")
	}
	if bytes.Equal(tok(k, "ab", "c"), tok(k, "a", "bc")) {
		t.Error("label and data are not separated")
	}
	if bytes.Equal(a, tok(k, "email", "bob@example.com")) {
		t.Error("Token equal for different data")
	}
	if _, err := k.Token("", []byte("x")); err == nil {
		t.Error("empty label accepted")
	}
}

func TestRotation(t *testing.T) {
	ctx := context.Background()
	k, path, u := initPassphrase(t, "rotate me")
	dek := bytes.Repeat([]byte{0x42}, 32)
	ad := []byte("orders/snap-1")
	oldWrapID, oldWrapped, _ := k.WrapKey(dek, ad)
	msg := []byte("manifest v1")
	oldTag, _ := k.Sign(msg)
	oldTok, _ := k.Token("email", []byte("alice@example.com"))
	oldPseudo := k.PrimaryKeyID(PurposePseudonym)

	later := t0.Add(24 * 3600e9)
	newWrapID, err := k.Rotate(ctx, PurposeWrap, later)
	if err != nil {
		t.Fatal(err)
	}
	if newWrapID == oldWrapID || k.PrimaryKeyID(PurposeWrap) != newWrapID {
		t.Fatalf("Rotate gave %q (old %q, primary %q)", newWrapID, oldWrapID, k.PrimaryKeyID(PurposeWrap))
	}
	newMACID, err := k.Rotate(ctx, PurposeManifest, later)
	if err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, k *Keyring) {
		got, err := k.UnwrapKey(oldWrapped, ad)
		if err != nil || !bytes.Equal(got, dek) {
			t.Errorf("old wrapped key after rotation: %v", err)
		}
		id, w, err := k.WrapKey(dek, ad)
		if err != nil || id != newWrapID {
			t.Errorf("new wrap uses %q (%v), want %q", id, err, newWrapID)
		}
		if kid, _ := KeyIDOf(PurposeWrap, w); kid != newWrapID {
			t.Errorf("new wrapped key prefix names %q", kid)
		}
		id, rewrapped, err := k.Rewrap(oldWrapped, ad)
		if err != nil || id != newWrapID {
			t.Errorf("Rewrap = %q, %v", id, err)
		}
		if got, err := k.UnwrapKey(rewrapped, ad); err != nil || !bytes.Equal(got, dek) {
			t.Errorf("unwrap rewrapped: %v", err)
		}
		if err := k.Verify(msg, oldTag); err != nil {
			t.Errorf("old tag after rotation: %v", err)
		}
		tag, _ := k.Sign(msg)
		if kid, _ := KeyIDOf(PurposeManifest, tag); kid != newMACID {
			t.Errorf("new tag made by %q, want %q", kid, newMACID)
		}
		tok, _ := k.Token("email", []byte("alice@example.com"))
		if !bytes.Equal(tok, oldTok) {
			t.Error("tokens changed though the pseudonym key was not rotated")
		}
		var wrapKeys []KeyInfo
		for _, ki := range k.Info() {
			if ki.Purpose == PurposeWrap {
				wrapKeys = append(wrapKeys, ki)
			}
		}
		if len(wrapKeys) != 2 || wrapKeys[0].ID != oldWrapID || wrapKeys[0].Primary ||
			wrapKeys[1].ID != newWrapID || !wrapKeys[1].Primary || !wrapKeys[1].Created.Equal(later) ||
			wrapKeys[0].Status != StatusEnabled {
			t.Errorf("wrap keys after rotation: %+v", wrapKeys)
		}
	}
	t.Run("in memory", func(t *testing.T) { check(t, k) })
	t.Run("reopened", func(t *testing.T) { check(t, mustOpen(t, path, u)) })

	t.Run("pseudonym", func(t *testing.T) {
		id, err := k.Rotate(ctx, PurposePseudonym, later)
		if err != nil {
			t.Fatal(err)
		}
		if id == oldPseudo || k.PrimaryKeyID(PurposePseudonym) != id {
			t.Errorf("pseudonym primary %q after rotation to %q (old %q)", k.PrimaryKeyID(PurposePseudonym), id, oldPseudo)
		}
		tok, _ := k.Token("email", []byte("alice@example.com"))
		if bytes.Equal(tok, oldTok) {
			t.Error("token unchanged after rotating the pseudonym key")
		}
		tok2, _ := mustOpen(t, path, u).Token("email", []byte("alice@example.com"))
		if !bytes.Equal(tok, tok2) {
			t.Error("token after rotation differs after reopening")
		}
	})

	if _, err := k.Rotate(ctx, PurposeWrap, time.Time{}); err == nil {
		t.Error("Rotate with a zero time succeeded")
	}
	if _, err := k.Rotate(ctx, Purpose("bogus"), later); !errors.Is(err, ErrUnknownPurpose) {
		t.Errorf("Rotate(bogus) = %v, want ErrUnknownPurpose", err)
	}
}

func TestRotateDetectsConcurrentChange(t *testing.T) {
	ctx := context.Background()
	a, path, u := initKeyFile(t)
	b := mustOpen(t, path, u)
	if _, err := a.Rotate(ctx, PurposeWrap, t0); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := b.Rotate(ctx, PurposeManifest, t0); !errors.Is(err, ErrChanged) {
		t.Fatalf("second Rotate = %v, want ErrChanged", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("failed Rotate changed the file")
	}
	if len(b.Info()) != 3 {
		t.Error("failed Rotate changed the keyring")
	}
	if len(mustOpen(t, path, u).Info()) != 4 {
		t.Error("first rotation lost")
	}
}

func TestConcurrentUse(t *testing.T) {
	k, _, _ := initKeyFile(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				ad := []byte{byte(i)}
				_, w, err := k.WrapKey([]byte("data key"), ad)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := k.UnwrapKey(w, ad); err != nil {
					t.Error(err)
					return
				}
				tag, _ := k.Sign(ad)
				if err := k.Verify(ad, tag); err != nil {
					t.Error(err)
					return
				}
				_, _ = k.Token("x", ad)
				_ = k.Info()
				_ = k.String()
			}
		}()
	}
	for range 3 {
		if _, err := k.Rotate(ctx, PurposeWrap, t0); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := Unlock{KeyFile: newKeyFile(t)}
	path := filepath.Join(t.TempDir(), "keyset.json")
	if _, err := Init(ctx, path, u, t0); !errors.Is(err, context.Canceled) {
		t.Errorf("Init = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("cancelled Init wrote a file")
	}
}

func TestParsePurpose(t *testing.T) {
	for _, p := range Purposes() {
		if got, err := ParsePurpose(string(p)); err != nil || got != p {
			t.Errorf("ParsePurpose(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := ParsePurpose("snapshot"); !errors.Is(err, ErrUnknownPurpose) {
		t.Errorf("ParsePurpose(snapshot) = %v", err)
	}
}

func TestKeyIDFormat(t *testing.T) {
	for _, tc := range []struct {
		p  Purpose
		s  string
		ok bool
	}{
		{PurposeWrap, "wrap-0000002a", true},
		{PurposeWrap, "wrap-0000002A", false},
		{PurposeWrap, "manifest-0000002a", false},
		{PurposeWrap, "wrap-2a", false},
		{PurposeWrap, "wrap-+000002a", false},
	} {
		if _, ok := parseKeyID(tc.p, tc.s); ok != tc.ok {
			t.Errorf("parseKeyID(%s, %q) ok = %v", tc.p, tc.s, ok)
		}
	}
}
