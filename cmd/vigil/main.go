// Command vigil is the CLI of Vigil, a data-governance batch pipeline for CRM
// data. See the README for the commands, the configuration and the exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultMemoryLimit is the soft limit of the Go heap unless GOMEMLIMIT is
// set: stages stream with bounded memory, and the limit keeps the garbage
// collector from letting the heap double before it runs. DuckDB's own
// memory is not counted here (see its memory_limit).
const defaultMemoryLimit = 384 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
