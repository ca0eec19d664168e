package keys

import (
	"context"
	"errors"
	"testing"
)

// An existing keyset without a signing keyset opens; the signing keyset is
// added on first use, survives reopening, and rotating keeps old
// signatures verifiable.
func TestSigningAddedToExistingKeyset(t *testing.T) {
	ctx := context.Background()
	k, path, u := initKeyFile(t)
	if k.HasSigning() {
		t.Fatal("a new keyset already has a signing key")
	}
	if _, _, err := k.SignReport([]byte("x")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("sign without a signing key: %v", err)
	}
	id, err := k.EnsureSigning(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, path, u)
	if !again.HasSigning() {
		t.Fatal("signing keyset not saved")
	}
	msg := []byte("report manifest")
	kid, sig, err := again.SignReport(msg)
	if err != nil || kid != id {
		t.Fatalf("sign: %v (key %s, want %s)", err, kid, id)
	}
	if err := k.VerifyReport(msg, sig); err != nil {
		t.Fatal(err)
	}
	if err := k.VerifyReport([]byte("report manifest!"), sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered message: %v", err)
	}
	bad := append([]byte{}, sig...)
	bad[len(bad)-1] ^= 1
	if err := k.VerifyReport(msg, bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered signature: %v", err)
	}
	if _, err := again.Rotate(ctx, PurposeSigning, t0.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	third := mustOpen(t, path, u)
	if err := third.VerifyReport(msg, sig); err != nil {
		t.Fatalf("old signature after rotation: %v", err)
	}
	pub, err := third.SigningPublicKeyset()
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyWithPublicKeyset(pub, msg, sig); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ki := range third.Info() {
		if ki.Purpose == PurposeSigning {
			n++
		}
	}
	if n != 2 {
		t.Errorf("signing keys listed: %d", n)
	}
}

// The first `keys rotate signing` on an old keyset creates the keyset.
func TestRotateSigningCreates(t *testing.T) {
	k, path, u := initKeyFile(t)
	if _, err := k.Rotate(context.Background(), PurposeSigning, t0); err != nil {
		t.Fatal(err)
	}
	if !mustOpen(t, path, u).HasSigning() {
		t.Fatal("not created")
	}
}
