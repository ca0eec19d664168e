package main

import (
	"context"
	"errors"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/reports"
	"github.com/vigil-dg/vigil/stages/snapshot"
	"github.com/vigil-dg/vigil/stages/verify"
)

// Exit codes. They are part of Vigil's interface (README, "Exit codes"):
// schedulers and monitoring act on them.
const (
	exitOK          = 0   // everything succeeded
	exitFailed      = 1   // a run, stage or command failed
	exitUsage       = 2   // bad command line or invalid configuration
	exitVerify      = 3   // verification found a problem with a snapshot
	exitKeys        = 4   // keyset problem: wrong passphrase, missing/insecure key file, no keyset
	exitLocked      = 5   // another run holds the lock; this run was skipped
	exitTimeout     = 6   // the job or a stage timed out
	exitFindings    = 7   // audit: findings at or above --fail-on
	exitPartial     = 8   // snapshot: some tables failed (nothing of them committed); the others were committed
	exitInterrupted = 130 // stopped by SIGINT or SIGTERM; recorded as interrupted
)

// errVerifyFailed is returned when vigil verify found problems.
var errVerifyFailed = errors.New("verification failed")

// errFindings is returned when an audit has findings at or above --fail-on.
var errFindings = errors.New("audit findings at or above the --fail-on severity")

// exitCode is the one map from errors to exit codes.
func exitCode(ctx context.Context, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, pipeline.ErrConfig):
		return exitUsage
	case errors.Is(err, pipeline.ErrLocked):
		return exitLocked
	case errors.Is(err, pipeline.ErrInterrupted), ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, pipeline.ErrTimeout):
		return exitTimeout
	case errors.Is(err, keys.ErrWrongPassphrase), errors.Is(err, keys.ErrNoPassphrase),
		errors.Is(err, keys.ErrInsecureKeyFile), errors.Is(err, keys.ErrNoKeyset),
		errors.Is(err, keys.ErrBadKeyFile), errors.Is(err, keys.ErrCorrupt), errors.Is(err, keys.ErrUnlockConfig),
		errors.Is(err, keys.ErrWeakPassphrase), errors.Is(err, keys.ErrKeyInUse), errors.Is(err, keys.ErrEscrow):
		return exitKeys
	case errors.Is(err, errVerifyFailed), isTampering(err), errors.Is(err, reports.ErrVerify),
		errors.Is(err, snapshot.ErrLatestUnproven), errors.Is(err, snapshot.ErrLedgerDamaged):
		return exitVerify
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.Is(err, errTablesFailed):
		return exitPartial
	}
	return exitFailed
}

// isTampering reports whether err says that a snapshot is not what was
// written: the same errors give exit code 3 from verify and from restore.
func isTampering(err error) bool {
	for _, e := range []error{snapshot.ErrManifestTampered, snapshot.ErrManifestInvalid, snapshot.ErrChecksum,
		snapshot.ErrTruncated, snapshot.ErrMissingFile, snapshot.ErrDecrypt, snapshot.ErrKeyUnwrap,
		snapshot.ErrSchemaMismatch, snapshot.ErrDigestMismatch, snapshot.ErrRowCount, verify.ErrFailed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
