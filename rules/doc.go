// Package rules holds what Vigil knows about personal data: the check-digit
// validators (Luhn, GB 11643, GB 32100, IBAN, ...), the rule-pack schema and
// loader, and the built-in packs embedded as YAML.
//
// # Imports
//
// rules is the leaf of the import graph: it imports nothing of Vigil's own.
package rules
