package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/pipeline"
)

// buildStages turns stage names of a job into stages.
func buildStages(g *globals, names []string) ([]pipeline.Stage, error) {
	var out []pipeline.Stage
	for _, n := range names {
		switch n {
		case "snapshot":
			out = append(out, snapshotStage{g: g})
		case "verify":
			out = append(out, verifyStage{g: g})
		case "classify":
			out = append(out, classifyStage{g: g})
		case "anonymize":
			out = append(out, anonymizeStage{g: g})
		case "backup":
			out = append(out, backupStage{g: g})
		case "audit":
			out = append(out, auditStage{g: g, from: g.auditFrom, to: g.auditTo})
		default:
			return nil, usageError{fmt.Errorf("unknown stage %q", n)}
		}
	}
	for i, st := range out {
		out[i] = progressStage{Stage: st, bar: g.bar}
	}
	return out, nil
}

// progressStage shows a spinner with the stage's name and elapsed time while
// it runs (stages that know their totals draw a bar of their own), so no
// stage is silent on a terminal.
type progressStage struct {
	pipeline.Stage
	bar *progress
}

func (s progressStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	s.bar.Start(s.Name(), 0, "")
	defer s.bar.Finish()
	return s.Stage.Run(ctx, env)
}

// WritesStore forwards the wrapped stage's pipeline.StoreWriter.
func (s progressStage) WritesStore() bool {
	w, ok := s.Stage.(pipeline.StoreWriter)
	return ok && w.WritesStore()
}

func runCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "run JOB",
		Short: "Run one job of the configuration now",
		Long: `Run the stages of one job in order, under the job's lock, with its timeouts
and retries, and record the run and every stage in the run ledger. A second
run of the same job while one is running exits with code 5 and is recorded
as skipped. SIGINT/SIGTERM stop the run cleanly (exit code 130).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			job, ok := cfg.Jobs[args[0]]
			if !ok {
				return usageError{fmt.Errorf("no job %q in %s (jobs: %v)", args[0], cfg.File, cfg.JobNames())}
			}
			rr, err := runJob(cmd, g, cfg, job, pipeline.Fire{Job: job.Name, Trigger: pipeline.TriggerManual})
			if rr != nil {
				if g.jsonOut {
					if jerr := g.printJSON(rr); jerr != nil {
						return jerr
					}
				} else {
					printRun(g, rr)
				}
			}
			return err
		},
	}
}

// runJob runs one job through the pipeline runner.
func runJob(cmd *cobra.Command, g *globals, cfg *pipeline.Config, job *pipeline.Job, fire pipeline.Fire) (*pipeline.RunResult, error) {
	stages, err := buildStages(g, job.Stages)
	if err != nil {
		return nil, err
	}
	r := &pipeline.Runner{Config: cfg, Logger: g.log}
	rr, err := r.RunFire(cmd.Context(), fire, stages)
	// Whatever the run wrote gets the groups and modes of the role model.
	if aerr := pipeline.ApplyAccess(cfg, g.log); aerr != nil {
		g.log.Warn("access groups not applied", "error", aerr.Error())
	}
	return rr, err
}

func printRun(g *globals, rr *pipeline.RunResult) {
	fmt.Fprintf(g.stdout, "run %s job %s: %s in %s\n", rr.Run.RunID, rr.Run.Job, rr.Run.Status, time.Duration(rr.Run.Duration*float64(time.Second)).Round(time.Millisecond))
	for _, s := range rr.Stages {
		line := fmt.Sprintf("  %-10s %-11s %8s", s.Stage, s.Status, time.Duration(s.Duration*float64(time.Second)).Round(time.Millisecond))
		for _, k := range []string{"rows_read", "rows_written", "rows_rejected"} {
			if v, ok := s.Counts[k]; ok {
				line += fmt.Sprintf("  %s=%d", k, v)
			}
		}
		if s.Error != "" {
			line += "  error: " + s.Error
		}
		fmt.Fprintln(g.stdout, line)
		var rejected []string
		for k := range s.Detail {
			if t, ok := strings.CutPrefix(k, "rejected."); ok {
				rejected = append(rejected, t)
			}
		}
		sort.Strings(rejected)
		for _, t := range rejected {
			fmt.Fprintf(g.stdout, "  WARN table %s: %s rejected; see `vigil rejects %s`\n", t, s.Detail["rejected."+t], t)
		}
	}
}
