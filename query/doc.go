// Package query lets analysts query the anonymized datasets with SQL, and
// audits them: it backs `vigil query`.
//
// # Datasets
//
// The anonymize stage writes one directory per table under the datasets
// root (datasets/<table>/), holding plain Parquet files and _vigil.json.
// Open turns each such directory into a DuckDB view named after the table:
//
//	CREATE VIEW "<table>" AS SELECT * FROM read_parquet(['<dir>/part-00000.parquet', ...])
//
// Hidden directories (the stage's temporary and replaced copies) are
// ignored; a directory without _vigil.json or Parquet files, a symbolic
// link, or a name with glob or control characters is skipped with a
// warning. Before each statement the root is rescanned; when a nightly run
// changed the tables or their files, the engine is rebuilt.
//
// # Lockdown
//
// The database lives in memory and is locked before any analyst SQL runs:
//
//	SET autoinstall_known_extensions = false, autoload_known_extensions = false
//	SET allowed_directories = []
//	SET allowed_paths = [<every Parquet file of every dataset>]
//	SET temp_directory = '<private temporary directory>'
//	SET enable_external_access = false
//	SET lock_configuration = true
//
// With external access disabled DuckDB opens no file, directory or URL
// except the allowed paths: reading a raw snapshot, /etc/passwd or a URL,
// ATTACH, COPY TO, EXPORT, INSTALL and LOAD all fail inside DuckDB, and
// the locked configuration refuses SET and RESET, so SQL cannot undo any
// of it. Views resolve their files when queried, which allowed_paths
// permits; spilling to temp_directory keeps working. allowed_paths permits
// writing those files as well (COPY ... TO with USE_TMP_FILE false would
// overwrite a dataset in place), so for writes the statement check below
// is the barrier.
//
// Vigil checks statements before DuckDB runs them, too. Exactly one
// statement per call: a text with several is refused before anything is
// prepared. It is prepared and its statement type must be SELECT (which
// covers WITH, FROM-first, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE and
// PRAGMA table_info and friends) or EXPLAIN of a SELECT (EXPLAIN ANALYZE
// runs the statement it explains). Everything else — COPY, EXPORT, ATTACH,
// CREATE, INSERT, SET, CALL, PRAGMA settings, transactions — is refused
// with a *RefusedError. A few table functions that reconfigure the engine
// from inside a SELECT (enable_profiling, enable_logging and their kin,
// json_execute_serialized_sql) are refused by name.
//
// # Output
//
// Results are written as an aligned text table (cells cut at 40 terminal
// columns, wide CJK characters counted as two, control characters escaped,
// then a line with the row count and time), CSV (RFC 4180, CRLF), a JSON
// array of objects or NDJSON, both streamed. The table format stops after
// 1000 rows unless Options.MaxRows says otherwise, and says so.
//
// # Access log
//
// Every statement, whether it ran, failed or was refused, appends one JSON
// line (LogEntry) to the access log, <home>/logs/query.jsonl, opened with
// O_APPEND and mode 0600 and synced after each line:
//
//	{"format":"vigil.querylog/v1","time":"2026-01-02T03:04:05.123456789Z","user":"ana",
//	 "host":"bi-1","session":"9f2c4e1a7b3d5c60","action":"query","statement":"SELECT",
//	 "sql_sha256":"…","tables":["customers"],"rows":42,"output":"table","status":"ok",
//	 "duration_ms":12.5}
//
// The SQL text is never logged: it may hold personal data the analyst typed.
// Its SHA-256 is. DuckDB's error messages are not logged either, only their
// class (Parser, Catalog, Permission, …). The audit stage reads this file
// with its built-in "vigil" mapping.
//
// # Shell
//
// Shell runs an interactive shell (prompt "vigil> ", statements end with
// ';', .tables, .schema, .mode, .help, .quit) or a script read from a
// reader, which stops at the first failing statement with its line number.
package query
