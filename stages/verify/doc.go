// Package verify runs restore drills on snapshots: it proves that a
// backup can be decrypted and read back with the same content, by Vigil
// and by DuckDB.
//
// # Checks
//
// Check verifies one snapshot, CheckAll the newest snapshot of every table
// (or all of them with Options.AllSnapshots). In order:
//
//   - manifest: parsed, validated and authenticated with the keyset
//   - files: every file present, with the size and SHA-256 recorded
//   - decrypt: every file decrypted; schema, rows per file, total rows,
//     content digest and per-column NULL counts compared with the manifest
//   - duckdb: an in-memory DuckDB (extension autoload and autoinstall off)
//     reads the data files, each with its own data key, and computes the
//     row count and content digest (snapshot.DigestSQL)
//   - restore (Options.RestoreDrill): the data is restored as plain Parquet
//     into a private temporary directory, read back independently and
//     compared; the directory is removed afterwards
//
// # Problems
//
// Verify reports every problem it finds, not just the first, each with a
// stable Kind: manifest_tampered, wrong_key, missing_file, truncated,
// checksum, decrypt, row_count, schema, digest, null_counts, duckdb,
// restore, unexpected_file, io. A damaged file is reported once under its
// cause (a flipped byte is a checksum problem, a short file is truncated)
// and not decrypted further; checks that depend on unreadable files are
// listed in Result.Skipped. A keyset that opens neither the manifest tag
// nor any data key is one wrong_key problem. A wrong passphrase is caught
// earlier, when the keyset is opened (package keys).
//
// # Results
//
// Result carries the snapshot, timings, rows and files checked, the checks
// that ran, and the problems; the caller records it in the run ledger and
// exits non-zero when Result.Err is not nil (it wraps ErrFailed). Results,
// errors and logs never hold row contents or key material: data keys reach
// DuckDB only through PRAGMA add_parquet_key and DuckDB's error messages
// are redacted.
//
// # Coverage
//
// Coverage records, per location (the local store or a backup target) and
// snapshot, when it was last read in full and found intact. Plan chooses
// what a sampled run reads: every snapshot not found intact within the
// window, then the least recently verified (never-verified first) up to
// the sample share, deterministically. Summarize gives what status and the
// metrics show: the share verified within the window, the overdue count
// and the least recently verified snapshot.
package verify
