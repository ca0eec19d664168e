package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/reports"
)

func reportCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Work with written audit reports",
	}
	c.AddCommand(reportVerifyCmd(g))
	return c
}

func reportVerifyCmd(g *globals) *cobra.Command {
	var offline bool
	c := &cobra.Command{
		Use:   "verify REPORT_DIR",
		Short: "Check a report folder's signature and the SHA-256 of every report file and input",
		Long: `Check evidence.json of a report folder: its Ed25519 signature against the
keyset's signing keys, the SHA-256 of every file of the folder (a changed,
missing or unlisted file fails), and the SHA-256 of every input the audit
read (log files, suppressions, config, reference manifests) at its path,
and of the copies kept in the folder (ledger excerpt, case register,
restore drills, classification, dataset descriptions). Exit 1 on any
problem, listing all of them. --offline checks the signature with the
public key stored in evidence.json instead of the keyset: that proves the
files are unchanged since signing, not who signed them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var trusted reports.Verifier
			if !offline {
				cfg, err := g.loadConfig()
				if err != nil {
					return err
				}
				kr, err := openKeys(cmd.Context(), cfg)
				if err != nil {
					return err
				}
				trusted = kr
			}
			v, err := reports.VerifyDir(args[0], trusted, keys.VerifyWithPublicKeyset)
			if g.jsonOut {
				if perr := g.printJSON(v); perr != nil {
					return perr
				}
			} else if v != nil {
				how := "keyset"
				if !v.Trusted {
					how = "public key in evidence.json (offline: integrity, not origin)"
				}
				if err == nil {
					fmt.Fprintf(g.stdout, "report %s verified: signature by %s (checked with the %s), %d report files and %d inputs unchanged\n",
						v.Dir, v.KeyID, how, v.Outputs, v.Inputs)
				} else {
					fmt.Fprintf(g.stdout, "report %s does NOT verify (%d problem(s)):\n", v.Dir, len(v.Problems))
					for _, p := range v.Problems {
						fmt.Fprintf(g.stdout, "  - %s\n", p)
					}
				}
			}
			return err
		},
	}
	c.Flags().BoolVar(&offline, "offline", false, "verify with the public key in evidence.json, without the keyset")
	return c
}
