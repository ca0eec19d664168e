// Package pgrestore restores snapshots into a PostgreSQL database.
//
// # Restore into PostgreSQL
//
// [Restore] writes the rows of one or more snapshots into tables of a
// PostgreSQL database, all in ONE transaction: either every table is
// restored completely or nothing is (a failure rolls everything back). Each
// snapshot becomes the table <Schema>.<snapshot table>. A table that does
// not exist is created with the snapshot's original PostgreSQL column types
// (recorded by the PostgreSQL source in the manifest's "postgres.columns"),
// and the enums and domains those types need are created first when the
// database does not have them ("postgres.types"); columns of other sources
// get the PostgreSQL type of their Arrow type (utf8 → text, int64 → bigint,
// decimal(p,s) → numeric(p,s), bool → boolean, date32 → date, timestamp →
// timestamp with time zone, binary → bytea, float64 → double precision). A
// table that exists must be empty: rows are appended to it, never merged.
//
// Rows are streamed with COPY … FROM STDIN (text format) through pgx, so
// memory stays bounded whatever the table size. The number of rows the
// server reports must equal the rows read from the snapshot and the
// manifest's row count before the transaction commits.
//
// # Secrets
//
// The DSN is secret. It is never part of an error or a log line; the
// password is scrubbed from server messages, and messages of data
// exceptions (SQLSTATE classes 22 and 23, which can quote row values) are
// replaced by their SQLSTATE code.
package pgrestore
