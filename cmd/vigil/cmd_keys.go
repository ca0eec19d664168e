package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/backup"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// keysCustodyCmds are the key-custody subcommands of vigil keys.
func keysCustodyCmds(g *globals) []*cobra.Command {
	var newEnv string
	change := &cobra.Command{
		Use:   "change-passphrase [--new-passphrase-env VAR]",
		Short: "Re-protect the keyset under a new passphrase read from an environment variable",
		Long: `Re-encrypt the keyset under a new passphrase (fresh salt and master key; the
keys themselves do not change, so every snapshot still decrypts). The current
passphrase comes from keys.passphrase_env as always, the new one from the
variable named by --new-passphrase-env (default VIGIL_NEW_PASSPHRASE); it is
never read from argv. A weak passphrase is refused: at least 12 characters,
6 distinct, no character more than a third of it, about 60 bits by
character classes ("correct horse battery staple" passes). Afterwards put the
new passphrase in keys.passphrase_env's variable.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := kr.Reprotect(cmd.Context(), kr.Path(), keys.Unlock{PassphraseEnv: newEnv}, false, keys.InitOptions{}); err != nil {
				return err
			}
			g.log.Info("keyset passphrase changed", "path", kr.Path())
			fmt.Fprintf(g.stdout, "passphrase changed for %s; set %s to the new passphrase from now on\n", kr.Path(), cfg.Keys.PassphraseEnv)
			return nil
		},
	}
	change.Flags().StringVar(&newEnv, "new-passphrase-env", "VIGIL_NEW_PASSPHRASE", "environment variable holding the new passphrase")

	var recipient, out string
	export := &cobra.Command{
		Use:   "export --to-age RECIPIENT --out FILE",
		Short: "Escrow the keyset to an age recipient (a recovery copy for a fresh machine)",
		Long: `Write every key, encrypted to an age recipient (age1..., from age-keygen), to
--out (mode 0600, never overwritten). Keep the age identity off this machine
(a safe, a password manager, a second site): with it and "vigil keys import",
a fresh machine can open every snapshot and backup. The date of the last
export is recorded in <home>/keys/escrow.json for status and audits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if recipient == "" || out == "" {
				return usageError{errors.New("--to-age and --out are required")}
			}
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			if err := kr.ExportAge(cmd.Context(), recipient, out, now); err != nil {
				return err
			}
			rec := map[string]any{"format": 1, "last_export": now.UTC().Truncate(time.Second), "recipient": recipient, "file": out}
			if err := writeJSONAtomic(escrowRecordPath(cfg), rec); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "wrote %s (mode 0600) for %s; keep the age identity off this machine\n", out, recipient)
			return nil
		},
	}
	export.Flags().StringVar(&recipient, "to-age", "", "age recipient (age1...)")
	export.Flags().StringVar(&out, "out", "", "escrow file to write (must not exist)")

	var identity string
	imp := &cobra.Command{
		Use:   "import ESCROW --identity FILE",
		Short: "Restore the keyset from an age escrow file (on a fresh machine)",
		Long: `Decrypt an escrow file made by "vigil keys export" with the age identity file
and write the keyset to the configured keys.keyset, protected as the config
says (the passphrase in keys.passphrase_env, or keys.key_file, which must
exist: make one with "vigil keys keyfile"). It never overwrites a keyset.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if identity == "" {
				return usageError{errors.New("--identity is required")}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			kr, err := keys.ImportAge(cmd.Context(), args[0], identity, cfg.Paths().Keyset, unlockOf(cfg))
			if err != nil {
				return err
			}
			g.log.Info("keyset imported from escrow", "path", kr.Path())
			return printKeyInfo(g, kr)
		},
	}
	imp.Flags().StringVar(&identity, "identity", "", "age identity file")

	list := &cobra.Command{
		Use:   "list",
		Short: "List keys with purpose, creation, status and how many snapshots each protects, locally and per target",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			usage, warns := keyUsage(cmd.Context(), cfg)
			type row struct {
				keys.KeyInfo
				Snapshots map[string]int `json:"snapshots"` // where → snapshots with a file wrapped by the key
			}
			var rows []row
			for _, k := range kr.Info() {
				r := row{KeyInfo: k, Snapshots: map[string]int{}}
				for where, m := range usage {
					r.Snapshots[where] = m[k.ID]
				}
				rows = append(rows, r)
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"keyset": kr.Path(), "protection": kr.Protection(), "keys": rows, "warnings": warns})
			}
			wheres := []string{"local"}
			for _, n := range targetNames(cfg) {
				wheres = append(wheres, n)
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprint(tw, "PURPOSE\tKEY ID\tPRIMARY\tCREATED\tSTATUS")
			for _, w := range wheres {
				fmt.Fprintf(tw, "\tSNAPSHOTS %s", w)
			}
			fmt.Fprintln(tw)
			for _, r := range rows {
				prim := ""
				if r.Primary {
					prim = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s", r.Purpose, r.ID, prim, r.Created.UTC().Format(time.RFC3339), r.Status)
				for _, w := range wheres {
					if r.Purpose == keys.PurposeWrap {
						fmt.Fprintf(tw, "\t%d", r.Snapshots[w])
					} else {
						fmt.Fprint(tw, "\t-")
					}
				}
				fmt.Fprintln(tw)
			}
			for _, w := range warns {
				fmt.Fprintf(tw, "warning: %s\n", w)
			}
			return tw.Flush()
		},
	}

	retire := &cobra.Command{
		Use:   "retire KEY-ID",
		Short: "Disable an old key once no snapshot (locally or on any target) depends on it",
		Long: `Disable a key that is no longer primary. For a wrap key it first counts the
snapshots with a data key wrapped by it, in the local store and on every
backup target; if any depends on it (or a target cannot be read), nothing
changes and they are listed: rewrap them first ("vigil snapshots rewrap
--all", then "vigil backup"). A retired key stays in the file, disabled.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			id := args[0]
			usage, warns := keyUsage(cmd.Context(), cfg)
			if len(warns) > 0 {
				return fmt.Errorf("%w: cannot count what depends on %s: %v", keys.ErrKeyInUse, id, warns)
			}
			n := 0
			var where []string
			for w, m := range usage {
				if m[id] > 0 {
					n += m[id]
					where = append(where, fmt.Sprintf("%s: %d", w, m[id]))
				}
			}
			sort.Strings(where)
			for _, w := range where {
				fmt.Fprintf(g.stderr, "still wrapped by %s: %s\n", id, w)
			}
			if err := kr.Retire(cmd.Context(), id, n, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "retired %s\n", id)
			return nil
		},
	}
	return []*cobra.Command{change, export, imp, list, retire}
}

// keyUsage counts, per place (local store, each target), the snapshots
// that have at least one file wrapped by each key id.
func keyUsage(ctx context.Context, cfg *pipeline.Config) (map[string]map[string]int, []string) {
	usage := map[string]map[string]int{}
	var warns []string
	count := func(where, store string) {
		m := map[string]int{}
		items, err := snapshot.Inventory(store)
		if err != nil {
			warns = append(warns, where+": "+err.Error())
		}
		for _, it := range items {
			if it.Status == snapshot.StatusMissing {
				continue
			}
			man, err := snapshot.ReadManifest(filepath.Join(snapshot.TableDir(store, it.Table), it.ID))
			if err != nil {
				warns = append(warns, where+": "+it.Ref()+": "+err.Error())
				continue
			}
			seen := map[string]bool{}
			for _, f := range man.Files {
				if !seen[f.KeyID] {
					seen[f.KeyID] = true
					m[f.KeyID]++
				}
			}
		}
		usage[where] = m
	}
	count("local", cfg.Paths().Store)
	for _, name := range targetNames(cfg) {
		t, err := openTarget(cfg, name)
		if err != nil {
			warns = append(warns, name+": "+err.Error())
			continue
		}
		tmp, cleanup, err := privateTemp(cfg)
		if err != nil {
			warns = append(warns, err.Error())
			continue
		}
		if _, err := backup.FetchMeta(ctx, t, tmp); err != nil {
			warns = append(warns, name+": "+err.Error())
		} else {
			count(name, tmp)
		}
		cleanup()
	}
	return usage, warns
}

// escrowRecordPath is where keys export records its last export, for the
// audit's escrow check.
func escrowRecordPath(cfg *pipeline.Config) string {
	return filepath.Join(cfg.Paths().Home, "keys", "escrow.json")
}
