package main

import "testing"

// The longest end-to-end tests, declared here so that they start first.
// Go starts parallel tests in the order they are declared (files in name
// order), at most -parallel at a time (4 by default, see TestMain): a long
// test that starts last runs alone at the end while a core idles; started
// first, the short tests fill the cores around it. Each body, with its
// documentation, stays in the file of its area (named in the comment).

// TestKillDuringForget: faults_e2e_test.go
func TestKillDuringForget(t *testing.T) { killDuringForget(t) }

// TestKillDuringRewrap: faults_e2e_test.go
func TestKillDuringRewrap(t *testing.T) { killDuringRewrap(t) }

// TestKeyCustody: keys_custody_e2e_test.go
func TestKeyCustody(t *testing.T) { keyCustody(t) }

// TestPostgresWatermarkNights: pg_incremental_e2e_test.go
func TestPostgresWatermarkNights(t *testing.T) { postgresWatermarkNights(t) }

// TestREADMETour: readme_test.go
func TestREADMETour(t *testing.T) { readmeTour(t) }

// TestRestoreFromTargetAfterLosingTheStore: backup_e2e_test.go
func TestRestoreFromTargetAfterLosingTheStore(t *testing.T) { restoreFromTargetAfterLosingTheStore(t) }

// TestKilledVerifyAndAnonymizeLeaveNoPlaintext: protection_e2e_test.go
func TestKilledVerifyAndAnonymizeLeaveNoPlaintext(t *testing.T) {
	killedVerifyAndAnonymizeLeaveNoPlaintext(t)
}

// TestDemoPostgres: pgrestore_e2e_test.go
func TestDemoPostgres(t *testing.T) { demoPostgres(t) }
