//go:build race

package main

// raceBuild is true when the tests run under -race: the README's test command
// (and so CI), where the pseudo-terminal test runs at the full size.
const raceBuild = true
