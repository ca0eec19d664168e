package main

import (
	"context"
	"fmt"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
)

// stageNames are the stages a job may list, in the order a nightly job runs them.
var stageNames = []string{"snapshot", "classify", "anonymize", "verify", "audit", "backup"}

// loadConfig loads the config named by --config.
func (g *globals) loadConfig() (*pipeline.Config, error) {
	cfg, err := pipeline.Load(g.configPath, pipeline.LoadOptions{KnownStages: stageNames, KnownClassesFunc: knownClasses})
	if err == nil {
		clearLeftovers(cfg) // plaintext a killed process left behind
	}
	return cfg, err
}

// loadConfigAsReader loads the config for the commands analysts and
// auditors run (query, status): they may not see the source files the
// config names, so those are not checked.
func (g *globals) loadConfigAsReader() (*pipeline.Config, error) {
	cfg, err := pipeline.Load(g.configPath, pipeline.LoadOptions{KnownStages: stageNames, KnownClassesFunc: knownClasses, SkipFileChecks: true})
	if err == nil {
		clearLeftovers(cfg) // as far as this user may: the service account's runs clear the rest
	}
	return cfg, err
}

// unlock returns how the config says the keyset is unlocked.
func unlockOf(cfg *pipeline.Config) keys.Unlock {
	return keys.Unlock{PassphraseEnv: cfg.Keys.PassphraseEnv, KeyFile: cfg.Keys.KeyFile}
}

// openKeys opens the config's keyset.
func openKeys(ctx context.Context, cfg *pipeline.Config) (*keys.Keyring, error) {
	kr, err := keys.Open(ctx, cfg.Paths().Keyset, unlockOf(cfg))
	if err != nil {
		return nil, fmt.Errorf("opening keyset: %w", err)
	}
	return kr, nil
}

// configAndKeys loads the config and opens its keyset.
func (g *globals) configAndKeys(ctx context.Context) (*pipeline.Config, *keys.Keyring, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	kr, err := openKeys(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, kr, nil
}
