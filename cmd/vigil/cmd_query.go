package main

import "github.com/spf13/cobra"

// queryCmd is a placeholder until the real command lands.
func queryCmd(g *globals) *cobra.Command { return &cobra.Command{Use: "query"} }
