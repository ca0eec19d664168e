package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/pipeline"
)

var errPending = errors.New("not built yet")

type auditStage struct{ g *globals }

func (auditStage) Name() string { return "audit" }
func (auditStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	return pipeline.Result{}, errPending
}

func generateDemoLogs(cmd *cobra.Command, g *globals, seed uint64, dir string) error {
	return nil
}
