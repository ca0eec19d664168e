package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/demo"
)

// generateShape writes a demo export in a CRM's shape (demo generate
// --shape) and prints its tables and the config lines that read it.
func generateShape(cmd *cobra.Command, g *globals, shape string, o demo.Options) error {
	g.log.Info("generating a demo CRM export", "shape", shape, "rows", o.Rows, "seed", o.Seed, "out", o.Out)
	s, err := demo.GenerateShape(cmd.Context(), demo.ShapeOptions{Shape: shape, Rows: o.Rows, Seed: o.Seed, Out: o.Out, Now: o.Now})
	if err != nil {
		var oe *demo.OptionError
		if errors.As(err, &oe) {
			return usageError{err}
		}
		return err
	}
	if g.jsonOut {
		return g.printJSON(s)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tFILE\tENTRY")
	for _, t := range s.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", t.Table, t.Rows, t.File, t.Entry)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nRead it with (vigil.yaml):\n  sources:\n    crm:\n      type: csv\n      dir: %s\n      preset: %s\n      tables:\n", s.Dir, s.Preset)
	for _, t := range s.Tables {
		fmt.Fprintf(&b, "        %s: {file: %s}\n", t.Table, t.File)
	}
	_, err = fmt.Fprint(g.stdout, b.String())
	return err
}
