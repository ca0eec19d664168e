package pipeline

import (
	"os"
	"strings"
)

// childEnvAllowed names the environment variables a child process (the
// notify command) inherits. Everything else stays behind: the keyset
// passphrase, database DSNs and passwords, cloud credentials. The child gets
// what it needs to run a program and format text, plus the VIGIL_* event
// variables set by runHook.
var childEnvAllowed = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "SHELL": true,
	"LANG": true, "LANGUAGE": true, "TZ": true, "TMPDIR": true, "TERM": true,
	"HOSTNAME": true, "SYSTEMD_EXEC_PID": true, "INVOCATION_ID": true, "JOURNAL_STREAM": true,
}

// childEnv returns the allow-listed part of env (os.Environ() form), plus
// the LC_* locale variables and VIGIL_NOTIFY_* (variables meant for the
// notify command itself, e.g. a pager's routing key).
func childEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if childEnvAllowed[name] || strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "VIGIL_NOTIFY_") {
			out = append(out, kv)
		}
	}
	return out
}

// ChildEnv is childEnv of this process's environment, for every child
// process Vigil starts.
func ChildEnv() []string { return childEnv(os.Environ()) }
