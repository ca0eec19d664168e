package pipeline

import (
	"encoding/json"
	"flag"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/expected")

// TestMain doubles as a helper process for tests that need a real child:
// VIGIL_NOTIFY_TEST_HELPER selects what it does.
func TestMain(m *testing.M) {
	switch os.Getenv("VIGIL_NOTIFY_TEST_HELPER") {
	case "":
		os.Exit(m.Run())
	case "hold-lock":
		// Take a lock, say so, then wait to be killed.
		dir, name := os.Args[len(os.Args)-2], os.Args[len(os.Args)-1]
		l, err := AcquireLock(dir, name, LockInfo{PID: os.Getpid(), Host: hostname(), Start: time.Now(), RunID: "run-of-dead-process", Job: "nightly"}, nil)
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		_ = l
		os.Stdout.WriteString("locked\n")
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		<-c
		os.Exit(0)
	case "notify":
		// Record the VIGIL_* environment and stdin to the file named last.
		out := map[string]string{}
		for _, k := range []string{"VIGIL_JOB", "VIGIL_RUN_ID", "VIGIL_STATUS", "VIGIL_STAGE", "VIGIL_ERROR"} {
			out[k] = os.Getenv(k)
		}
		var ev Event
		_ = json.NewDecoder(os.Stdin).Decode(&ev)
		out["stdin_run_id"] = ev.RunID
		data, _ := json.Marshal(out)
		_ = os.WriteFile(filepath.Clean(os.Args[len(os.Args)-1]), data, 0o600)
		if os.Getenv("VIGIL_NOTIFY_TEST_FAIL") != "" {
			os.Stderr.WriteString("pager unreachable\n")
			os.Exit(3)
		}
		os.Exit(0)
	case "sleep":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(2)
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
