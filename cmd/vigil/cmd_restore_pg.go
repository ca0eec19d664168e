package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/stages/pgrestore"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// pgRestoreFlags are the restore flags for PostgreSQL targets.
type pgRestoreFlags struct {
	toEnv  string
	run    string
	schema string
}

func (p *pgRestoreFlags) flags(c *cobra.Command) {
	c.Flags().StringVar(&p.toEnv, "to-env", "", "name of an environment variable holding the target PostgreSQL DSN")
	c.Flags().StringVar(&p.schema, "schema", "public", "target schema (PostgreSQL targets)")
}

func (p *pgRestoreFlags) wanted(to string) bool {
	return p.toEnv != "" || isPostgresURL(to)
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// dsnHasPassword reports whether a DSN given on the command line carries a
// password (URL user info or a password= key), without ever printing it.
func dsnHasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return true
		}
		if u.Query().Has("password") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(dsn), "password=")
}

func restoreToPostgres(cmd *cobra.Command, g *globals, to string, p pgRestoreFlags, args []string) error {
	var dsn string
	switch {
	case p.toEnv != "" && to != "":
		return usageError{errors.New("give --to or --to-env, not both")}
	case p.toEnv != "":
		dsn = os.Getenv(p.toEnv)
		if dsn == "" {
			return usageError{fmt.Errorf("environment variable %s (--to-env) is not set", p.toEnv)}
		}
	case isPostgresURL(to):
		if dsnHasPassword(to) {
			return usageError{errors.New("--to holds a password, which other users can read in the process list: remove it and use PGPASSWORD or ~/.pgpass, or put the whole DSN in a variable named by --to-env (the value is not shown)")}
		}
		dsn = to
	default:
		return usageError{errors.New("--to-env restores into PostgreSQL: give --to postgres://HOST/DB or --to-env VAR")}
	}
	if (p.run == "") == (len(args) == 0) {
		return usageError{errors.New("give one SNAPSHOT or --run RUN")}
	}
	cfg, kr, err := g.configAndKeys(cmd.Context())
	if err != nil {
		return err
	}
	store := cfg.Paths().Store
	var refs []string
	if p.run != "" {
		ms, err := snapshot.List(store)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Extra["run_id"] == p.run {
				refs = append(refs, m.Ref())
			}
		}
		if len(refs) == 0 {
			return fmt.Errorf("%w: no snapshot was written by run %s", snapshot.ErrNotFound, p.run)
		}
	} else {
		refs = args
	}
	var snaps []*snapshot.Snapshot
	for _, ref := range refs {
		s, err := snapshot.Open(cmd.Context(), store, ref, kr, kr)
		if err != nil {
			return err
		}
		snaps = append(snaps, s)
	}
	res, err := pgrestore.Restore(cmd.Context(), pgrestore.Options{DSN: dsn, Schema: p.schema, Logger: g.log}, snaps)
	if err != nil {
		return err
	}
	if g.jsonOut {
		return g.printJSON(res)
	}
	for _, r := range res {
		verb := "appended to empty"
		if r.Created {
			verb = "created"
		}
		fmt.Fprintf(g.stdout, "restored %s: %d rows into %s (%s)\n", r.Snapshot, r.Rows, r.Table, verb)
	}
	return nil
}
