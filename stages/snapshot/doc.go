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
// (default 1,000,000) into row groups of at most Options.RowGroupRows
// rows (default 131,072) and about 8 MiB of values (a single larger row
// gets a row group of its own), so memory stays bounded whatever the table
// size and the values' sizes.
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
// DuckDB reads: AES_GCM_V1, encrypted footer, DataPage V1, one data page
// per column chunk, no bloom filters, no page index, no stored AAD prefix,
// flat columns, timestamps in microseconds, zstd (level 1) compression,
// no dictionary encoding (see "Speed"). Each file has its own random
// 32-byte data key (DEK). DuckDB reads a file given its key:
//
//	PRAGMA add_parquet_key('k', '<base64 DEK>');
//	SELECT * FROM read_parquet('data-00000.parquet', encryption_config={footer_key: 'k'});
//
// Snapshot.DataKey returns the DEK for this; callers must never log it.
//
// # DuckDB interoperability
//
// DuckDB 1.5.6 (duckdb-go v2.10506.0) cannot read an encrypted column chunk
// that has more than one data page: it fails with "Computed AES tag differs
// from read AES tag". Parquet Modular Encryption authenticates every page
// header and page with an AAD suffix of module type, row group, column and
// page ordinal (2 bytes little-endian each); the page ordinal numbers the
// data pages of a column chunk from 0, dictionary pages and their headers
// have none. arrow-go v18.8.0 writes exactly that. DuckDB's reader does not
// advance the ordinal: it checks the second and later data pages of a chunk
// with ordinal 0 when the chunk has no dictionary, and when it has one,
// their headers as dictionary page headers and the pages as data pages
// without an ordinal. So the deviation is DuckDB's. (Found by re-encrypting
// the modules of such chunks under each candidate AAD: every module opens
// under the spec's AAD, DuckDB accepts only the ones above.) The first data
// page of every chunk and the dictionary page agree on both sides, which is
// why most tables read fine: the demo customers table failed on one address
// chunk that arrow-go had split into a dictionary page, a
// dictionary-encoded page and, after the dictionary outgrew its 1 MiB
// limit, a PLAIN page. The column count, the page index (off), statistics
// and compression play no part.
//
// Encrypted files therefore have exactly one data page per column chunk
// (and at most one dictionary page), for any input. arrow-go cuts a data
// page before the end of a column chunk only when the buffered page reaches
// the data page size limit; writerProps sets that limit to math.MaxInt64,
// which no buffered size reaches, so the only data page is the one written
// when the chunk is closed. A dictionary that outgrows its limit before
// that falls back to PLAIN: with no page cut yet, arrow-go discards the
// dictionary and re-encodes the buffered values, so fallback adds no page
// either. Bloom filters and the page index stay off, so the files have no
// other page-level modules.
//
// As a whole column chunk is now buffered unencoded until its row group
// closes, row groups are also cut by size: at an estimate of 8 MiB of
// PLAIN-encoded values (maxRowGroupBytes), which bounds what writing holds
// to a few times that (buffered values, then the page, compressed and
// encrypted copies of a chunk, for up to GOMAXPROCS chunks at a time) and
// keeps every page far below
// the 2 GiB Parquet limit. One data page per chunk also compresses better
// (13% smaller files on BenchmarkWrite1M at the same CPU time).
// TestDuckDBReadsLargeChunks guards all of this. Snapshots written before
// with such chunks decrypt with Vigil's reader but not with DuckDB; verify
// reports them as duckdb problems, and a new snapshot fixes them.
// The test also covers dictionary-encoded chunks, which the format allows
// though the writer no longer makes them.
//
// # Speed
//
// The columns of a row group are encoded, and when it closes compressed
// and encrypted, by up to GOMAXPROCS goroutines, each column chunk by one
// of them (arrow-go's column writers are independent; only copying the
// finished chunks into the file, in column order, is serial); the content
// digest runs in its own goroutine. The layout is the one
// pqarrow.FileWriter would write, and row order is the input's. Dictionary encoding is off:
// with one zstd-compressed page per chunk it made files larger and cost
// about 30% of the CPU time (BenchmarkDictionary).
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
// # Order, latest and the snapshot ledger
//
// Snapshot ids carry the creation second but order never comes from them.
// Each commit gets a per-table sequence number (Manifest.Seq) and the run
// id of its snapshot set (Manifest.RunID), and is recorded in the snapshot
// ledger, <store>/snapshot-ledger/<table>/<seq>-<kind>-<id>[-<sha>].json:
// one file per event (commit, rewrap, forget), written once, authenticated
// by the Authenticator, named after its content. LatestOf returns the live
// commit with the highest sequence and fails with ErrLatestUnproven when
// that snapshot is missing, damaged, replayed or not the manifest the
// ledger recorded, when a ledger record is damaged, or when the store holds
// a snapshot newer than the ledger knows; it never falls back. Commit
// writes the record after the rename; a crash in between leaves an orphan
// that the next Create adopts if it authenticates (Reindex does it on
// request). Rewrap records the new manifest's hash before replacing it;
// retention (PlanForget, ApplyForget: GFS rules on snapshot sets, never
// the newest intact snapshot of a table) records forget before removing.
//
// # Erasure
//
// AppendErasure records a right-to-erasure request as a keyed hash of the
// subject's key (Hasher, the keyset's pseudonym PRF), encrypted by the
// KeyWrapper, in <store>/erasure-ledger/. Open loads the ledger and
// Records drops the rows of erased subjects (ErasureFilter), so every
// reader of an opened snapshot benefits; OpenUnverified (verify) reads
// everything. Restore counts the rows left out.
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
