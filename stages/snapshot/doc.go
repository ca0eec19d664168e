// Package snapshot writes and reads encrypted Parquet snapshots: the only
// raw copy of CRM data at rest. Every later stage (classify, anonymize,
// verify) reads a snapshot, never the source again.
//
// # Layout
//
// A store holds
//
//	<store>/snapshots/<table>/<snapshot-id>/
//	    data-00000.parquet      rows, encrypted
//	    rejects-00000.parquet   rejected input rows with the reason, encrypted
//	    manifest.json           description, checksums and wrapped data keys
//
// Snapshot ids sort by creation time: 20261122T021500Z-3f9a1c (UTC second
// plus 24 random bits). Files are split at Options.MaxRowsPerFile rows
// (default 1,000,000) into row groups of Options.RowGroupRows (default
// 131,072), so memory stays bounded whatever the table size.
//
// # Atomic commit
//
// A Writer writes into <table>/.tmp-<id>/, fsyncs every file, writes the
// manifest last, renames the directory to <table>/<id>/ and fsyncs the
// table directory. A crash leaves either no snapshot or a complete one;
// leftover .tmp-* directories are ignored by List and removed by Cleanup.
// Delete and Prune rename a snapshot to .tmp-del-<id> before removing it.
//
// # Encrypted Parquet
//
// Files use Parquet Modular Encryption as written by arrow-go in the mode
// DuckDB reads: AES_GCM_V1, encrypted footer, DataPage V1, no bloom
// filters, no page index, no stored AAD prefix, flat columns, timestamps
// in microseconds, zstd (level 1) compression, dictionary encoding for
// string columns only. Each file has its own random 32-byte data key
// (DEK). DuckDB reads a file given its key:
//
//	PRAGMA add_parquet_key('k', '<base64 DEK>');
//	SELECT * FROM read_parquet('data-00000.parquet', encryption_config={footer_key: 'k'});
//
// Snapshot.DataKey returns the DEK for this; callers must never log it.
//
// # Keys
//
// DEKs are wrapped by a KeyWrapper (the keyset's snapshot key; envelope
// encryption) with associated data binding table, snapshot id and file
// name ("vigil/snapshot/dek/v1" NUL table NUL id NUL file), so a wrapped
// key cannot be moved to another file. Rotation never rewrites data:
// Rewrap unwraps every DEK, wraps it under the current primary key and
// re-signs the manifest, replacing manifest.json atomically.
//
// # Manifest
//
// manifest.json ("format": 1) records table, source, id, creation time,
// rows, rows read and rejected, the schema (Arrow type strings), per-column
// NULL counts, the content digest, the encryption mode and compression,
// every file (name, kind, rows, SHA-256 and size of the encrypted file,
// key id, wrapped DEK) and free-form extra fields. Its tag is a MAC by the
// Authenticator (the keyset's manifest key) over Manifest.CanonicalBytes,
// the compact JSON without the tag; Open rejects an edited manifest with
// ErrManifestTampered. Unknown fields are errors.
//
// # Content digest
//
// The digest is order-independent and computable by DuckDB, so DuckDB can
// prove that it reads the same content (see Digester and DigestSQL). Per
// row a canonical string concatenates, for every column in schema order,
// "-" for NULL or "<byte length>:<text>"; text is the value as DuckDB
// prints it (integers, DECIMAL, true/false), dates as days since
// 1970-01-01, timestamps as epoch microseconds, binary as upper-case hex,
// float32 widened to DOUBLE. The digest is "v1:" followed by two 64-bit
// lanes in hex: the sums mod 2^64 of bytes 0..8 and 8..16 (big-endian) of
// every row's SHA-256.
//
// # Errors
//
// Errors wrap sentinel errors (ErrNotFound, ErrManifestTampered,
// ErrCountMismatch, ErrChecksum, ErrTruncated, ErrMissingFile, ErrDecrypt,
// ErrKeyUnwrap, ErrSchemaMismatch, ErrDigestMismatch, ErrRowCount, ...);
// errors about one file are *FileError naming the file. No error, log
// line or manifest holds row contents or key material. Rejected rows keep
// their raw text only inside the encrypted rejects files.
//
// # Restore
//
// Restore writes a PLAINTEXT copy (plain Parquet or CSV, mode 0600,
// atomically, never overwriting) only where the user asks for one.
package snapshot
