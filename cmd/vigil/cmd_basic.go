package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/demo"
	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
)

// commands returns every subcommand of vigil.
func commands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		initCmd(g), configCmd(g), keysCmd(g), demoCmd(g), runCmd(g), statusCmd(g), scheduleCmd(g), queryCmd(g),
		snapshotsCmd(g), restoreCmd(g), verifyCmd(g), classifyCmd(g), rulesCmd(g), anonymizeCmd(g), auditCmd(g), logsCmd(g),
		backupCmd(g), forgetCmd(g), eraseCmd(g),
		findingsCmd(g), reportCmd(g),
	}
}

func initCmd(g *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter vigil.yaml",
		Long:  "Write a commented starter configuration to --config (default ./vigil.yaml). It refuses to overwrite an existing file unless --force is given.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(g.configPath, flag, 0o600)
			if err != nil {
				if errors.Is(err, os.ErrExist) {
					return usageError{fmt.Errorf("%s already exists (use --force to overwrite)", g.configPath)}
				}
				return err
			}
			if _, err := f.Write(pipeline.Starter()); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"config": g.configPath, "written": true})
			}
			fmt.Fprintf(g.stdout, "wrote %s\nnext: edit it, then run \"vigil keys init\" and \"vigil config validate\"\n", g.configPath)
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return c
}

func configCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Check and explain the configuration"}
	c.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Load the configuration and report every problem with file, line and field",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"config": cfg.File, "ok": true, "jobs": cfg.JobNames(), "sources": cfg.SourceNames()})
			}
			fmt.Fprintf(g.stdout, "%s: ok (%d sources, %d tables, %d jobs)\n", cfg.File, len(cfg.Sources), len(cfg.Tables()), len(cfg.Jobs))
			return nil
		},
	}, &cobra.Command{
		Use:   "reference",
		Short: "Print the reference of every configuration key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.jsonOut {
				return g.printJSON(map[string]any{"reference": pipeline.Reference()})
			}
			fmt.Fprint(g.stdout, pipeline.Reference())
			return nil
		},
	})
	return c
}

func keysCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Create, rotate and inspect the keyset",
		Long: `The keyset holds three separate keys: "wrap" (wraps the data key of every
snapshot file), "manifest" (authenticates manifests) and "pseudonym" (keyed
pseudonym tokens). It is stored encrypted under a passphrase (argon2id; the
passphrase is read from the environment variable named by keys.passphrase_env)
or under a key file with mode 0600 (keys.key_file). Key material is never
printed.`,
	}
	c.AddCommand(&cobra.Command{
		Use:   "init",
		Short: "Create the keyset named by the configuration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			path := cfg.Paths().Keyset
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			if v := os.Getenv(cfg.Keys.PassphraseEnv); cfg.Keys.PassphraseEnv != "" && v != "" {
				if err := keys.CheckPassphrase(v); err != nil {
					return err
				}
			}
			kr, err := keys.Init(cmd.Context(), path, unlockOf(cfg), time.Now())
			if err != nil {
				return err
			}
			g.log.Info("keyset created", "path", path, "protection", kr.Protection())
			return printKeyInfo(g, kr)
		},
	})
	var rotatePseudonym bool
	rotate := &cobra.Command{
		Use:   "rotate PURPOSE",
		Short: "Add a new primary key for a purpose (wrap, manifest or pseudonym)",
		Long: `Add a new primary key for a purpose. Old keys stay in the keyset, so
everything written before still decrypts and verifies. After rotating "wrap",
run "vigil snapshots rewrap --all" to re-wrap every data key under the new
primary (data files are never rewritten). Rotating "pseudonym" changes every
pseudonym token, breaking joins with datasets written before: it needs
--yes-change-pseudonyms.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := keys.ParsePurpose(args[0])
			if err != nil {
				return usageError{err}
			}
			if p == keys.PurposePseudonym && !rotatePseudonym {
				return usageError{errors.New("rotating the pseudonym key changes every token; add --yes-change-pseudonyms to confirm")}
			}
			_, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			id, err := kr.Rotate(cmd.Context(), p, time.Now())
			if err != nil {
				return err
			}
			g.log.Info("key rotated", "purpose", string(p), "new_primary", id)
			return printKeyInfo(g, kr)
		},
	}
	rotate.Flags().BoolVar(&rotatePseudonym, "yes-change-pseudonyms", false, "confirm rotating the pseudonym key")
	c.AddCommand(rotate, &cobra.Command{
		Use:   "info",
		Short: "List key ids, purposes, creation times and the primary of each purpose",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			return printKeyInfo(g, kr)
		},
	}, &cobra.Command{
		Use:   "keyfile PATH",
		Short: "Write a new random key file (mode 0600) to unlock a keyset with",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := keys.GenerateKeyFile(args[0]); err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"key_file": args[0], "mode": "0600"})
			}
			fmt.Fprintf(g.stdout, "wrote %s (mode 0600); keep a copy off this machine: without it the snapshots cannot be decrypted\n", args[0])
			return nil
		},
	})
	c.AddCommand(keysCustodyCmds(g)...)
	return c
}

func printKeyInfo(g *globals, kr *keys.Keyring) error {
	info := kr.Info()
	if g.jsonOut {
		return g.printJSON(map[string]any{"keyset": kr.Path(), "protection": kr.Protection(), "keys": info})
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PURPOSE\tKEY ID\tPRIMARY\tCREATED\tSTATUS")
	for _, k := range info {
		prim := ""
		if k.Primary {
			prim = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Purpose, k.ID, prim, k.Created.UTC().Format(time.RFC3339), k.Status)
	}
	return tw.Flush()
}

func demoGenerateCmd(g *globals) *cobra.Command {
	var o demo.Options
	var seed uint64
	var shape, to string
	c := &cobra.Command{
		Use:   "generate",
		Short: "Write a realistic demo CRM export (CSV, or a CRM's own shape with --shape) with a ground truth",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Seed = seed
			if to != "" {
				if o.Out != "" && o.Out != to {
					return usageError{errors.New("--to and --out name the same directory; give one")}
				}
				o.Out = to
			}
			if o.Out == "" {
				return usageError{errors.New("--out (or --to) is required")}
			}
			if shape != "" {
				return generateShape(cmd, g, shape, o)
			}
			s, err := generateDemo(cmd, g, o)
			if err != nil {
				return err
			}
			if _, err := generateDemoLogs(cmd, g, o.Seed, o.Out); err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(s)
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TABLE\tROWS\tFILE")
			for _, t := range s.Tables {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Table, t.Rows, t.Path)
			}
			fmt.Fprintf(tw, "ground truth\t\t%s\n", s.GroundTruth)
			fmt.Fprintf(tw, "access logs (a month, with labelled incidents)\t\t%s\n", filepath.Join(o.Out, "logs"))
			return tw.Flush()
		},
	}
	c.Flags().IntVar(&o.Rows, "rows", 10000, "customers to generate")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same bytes")
	c.Flags().StringVar(&o.Out, "out", "", "output directory")
	c.Flags().BoolVar(&o.GBK, "gbk", false, "write the CSVs GBK-encoded, as Excel does on Chinese Windows")
	c.Flags().StringVar(&shape, "shape", "", "write an export in a CRM's shape instead: salesforce (zip of CSVs), zoho (CSV), fxiaoke or jiandaoyun (XLSX)")
	c.Flags().StringVar(&to, "to", "", "output directory (same as --out)")
	return c
}

func generateDemo(cmd *cobra.Command, g *globals, o demo.Options) (*demo.Summary, error) {
	g.log.Info("generating demo data", "rows", o.Rows, "seed", o.Seed, "out", o.Out, "gbk", o.GBK)
	return demo.Generate(cmd.Context(), o)
}
