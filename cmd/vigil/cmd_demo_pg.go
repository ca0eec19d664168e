package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pglocal"
	"github.com/vigil-dg/vigil/stages/extract"
	"github.com/vigil-dg/vigil/stages/pgrestore"
)

// demoTables are the demo CRM's tables (files data/<table>.csv).
var demoTables = []string{"customers", "staff", "ownership", "orders", "enrollments"}

// demoPGEnv names the variable holding the demo database's DSN (no
// password: the throwaway server trusts loopback connections).
const demoPGEnv = "VIGIL_DEMO_PG_DSN"

// demoPostgresConfig turns the demo config's CSV source into a PostgreSQL
// source reading schema crm of the demo database.
func demoPostgresConfig(cfg string) string {
	i := strings.Index(cfg, "sources:\n")
	j := strings.Index(cfg, "protect:\n")
	var b strings.Builder
	b.WriteString("sources:\n  crm:\n    type: postgres\n    dsn_env: " + demoPGEnv + "\n    tables:\n")
	for _, t := range demoTables {
		fmt.Fprintf(&b, "      %s: {table: crm.%s}\n", t, t)
	}
	return cfg[:i] + b.String() + cfg[j:]
}

// startDemoPostgres starts a throwaway server under dir/postgres, creates
// database crm and loads the demo CSVs into schema crm. It sets demoPGEnv
// for this process. The caller stops the server.
func startDemoPostgres(ctx context.Context, dir, dataDir string) (*pglocal.Server, error) {
	srv, err := pglocal.Start(filepath.Join(dir, "postgres"))
	if err != nil {
		return nil, err
	}
	dsn, err := createDemoDatabase(ctx, srv.DSN)
	if err == nil {
		err = loadDemoCRM(ctx, dsn, dataDir)
	}
	if err != nil {
		srv.Stop()
		return nil, err
	}
	os.Setenv(demoPGEnv, dsn)
	return srv, nil
}

func createDemoDatabase(ctx context.Context, adminDSN string) (string, error) {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return "", fmt.Errorf("demo database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE crm"); err != nil {
		return "", fmt.Errorf("demo database: %w", err)
	}
	return strings.Replace(adminDSN, "dbname=postgres", "dbname=crm", 1), nil
}

// loadDemoCRM loads data/<table>.csv into crm.<table> (types as the CSV
// reader infers them) in one transaction, then declares primary keys.
func loadDemoCRM(ctx context.Context, dsn, dataDir string) error {
	var ins []pgrestore.Input
	for _, t := range demoTables {
		path := filepath.Join(dataDir, t+".csv")
		probe, err := extract.OpenCSV(ctx, path, extract.CSVOptions{Table: t})
		if err != nil {
			return err
		}
		schema := probe.Schema()
		probe.Close()
		probe.Release()
		ins = append(ins, pgrestore.Input{Name: t, Ref: "demo:" + t + ".csv", Schema: schema, Rows: -1,
			Records: func(ctx context.Context, alloc memory.Allocator) (array.RecordReader, error) {
				return extract.OpenCSV(ctx, path, extract.CSVOptions{Table: t, Alloc: alloc})
			}})
	}
	if _, err := pgrestore.Load(ctx, pgrestore.Options{DSN: dsn, Schema: "crm"}, ins); err != nil {
		return fmt.Errorf("loading the demo CRM into PostgreSQL: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The first column of customers, staff, orders and enrollments is its id.
	for _, t := range []string{"customers", "staff", "orders", "enrollments"} {
		var col string
		if err := conn.QueryRow(ctx, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum = 1`, "crm."+t).Scan(&col); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "ALTER TABLE crm."+t+" ADD PRIMARY KEY ("+pgx.Identifier{col}.Sanitize()+")"); err != nil {
			return fmt.Errorf("demo table %s: %w", t, err)
		}
	}
	return nil
}
