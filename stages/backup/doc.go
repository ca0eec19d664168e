// Package backup copies committed snapshots off-site and back.
//
// # Targets
//
// A Target is a place that stores objects by slash-separated key: a
// directory (DirTarget) or an S3-compatible bucket (S3Target, minio-go).
// Its contract is documented on the interface and checked by a
// conformance suite every target passes: objects appear only complete, a
// failed or cancelled Put leaves the old object or none, Put reads exactly
// the announced size, List is sorted and complete, missing objects wrap
// ErrNotExist, invalid keys wrap ErrInvalidKey.
//
// # Layout
//
// A target holds the store's layout: snapshots/<table>/<id>/<file> and
// snapshot-ledger/<table>/<record>, plus erasure-ledger/<record>, so a
// directory target is itself a readable store.
//
// # Copy
//
// Copy uploads, per snapshot, the data files (each read back and compared
// with the manifest's SHA-256), then the manifest, then the snapshot's
// signed ledger records, the commit record last: until it is there the
// snapshot does not count on the target. An interrupted copy is resumed by
// the next one, which skips files already present with the right hash. A
// local file that no longer matches its manifest is never copied.
//
// # Restore, verify and retention on a target
//
// Fetch copies one snapshot (resolving "latest" from the target's own
// ledger) into a private directory laid out as a store, where the snapshot
// package opens, restores and verifies it. Candidates and ApplyForget
// apply snapshot.PlanForget on a target: a signed forget record first,
// then the objects, manifest first.
//
// # Errors
//
// Errors wrap ErrNotExist, ErrInvalidKey, ErrVerify or ErrConfig, or the
// snapshot package's sentinels; they never contain credentials.
package backup
