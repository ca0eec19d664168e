package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func metricsRecords() []Record {
	t0 := time.Date(2026, 5, 22, 2, 0, 0, 0, time.UTC)
	mk := func(kind, job, stage string, status RunStatus, start time.Time, d time.Duration, counts map[string]int64) Record {
		r := rec(kind, job, stage, status, start, d)
		r.Counts = counts
		return r
	}
	return []Record{
		mk(KindStage, "nightly", "snapshot", StatusOK, t0, time.Minute, map[string]int64{"rows_read": 1000}),
		mk(KindRun, "nightly", "", StatusOK, t0, 90*time.Second, map[string]int64{"rows_read": 1000, "rows_written": 990, "rows_rejected": 10}),
		mk(KindRun, "nightly", "", StatusFailed, t0.Add(24*time.Hour), 30*time.Second, map[string]int64{"rows_read": 500}),
		mk(KindStage, "audit", "audit", StatusOK, t0.Add(4*time.Hour), time.Minute, map[string]int64{"findings_high": 1, "findings_low": 7}),
		mk(KindStage, "audit", "audit", StatusOK, t0.Add(28*time.Hour), time.Minute, map[string]int64{"findings_high": 2, "findings_critical": 1}),
		mk(KindRun, "audit", "", StatusOK, t0.Add(28*time.Hour), 75*time.Second, nil),
		mk(KindStage, "verify", "verify", StatusOK, t0.Add(5*time.Hour), time.Minute, map[string]int64{"verify_ok.customers": 1, "verify_ok.orders": 1}),
		mk(KindStage, "verify", "verify", StatusFailed, t0.Add(29*time.Hour), time.Minute, map[string]int64{"verify_ok.orders": 0}),
		mk(KindRun, "verify", "", StatusSkipped, t0.Add(30*time.Hour), 0, nil),
		mk(KindRun, "removed-job", "", StatusOK, t0, time.Second, map[string]int64{"rows_read": 1}),
		mk(KindRun, `we"ird`, "", StatusOK, t0, time.Second, nil),
	}
}

func TestRenderMetricsGolden(t *testing.T) {
	got := RenderMetrics([]string{"verify", "nightly", "audit", "never-ran", `we"ird`}, metricsRecords())
	golden(t, filepath.Join("testdata", "expected", "metrics.prom"), got)
	// Every sample line belongs to a family announced by HELP and TYPE.
	families := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			families[strings.Fields(name)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if !families[name] {
			t.Errorf("sample before its TYPE line: %s", line)
		}
	}
}

func TestWriteMetricsAtomic(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a]}\n")
	for _, r := range metricsRecords() {
		if err := AppendRecord(cfg.Home, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteMetrics(cfg); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cfg.Home, "metrics")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != MetricsFile {
		t.Errorf("metrics dir holds %v", entries)
	}
	data, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
	if !strings.Contains(string(data), `vigil_runs_total{job="nightly",status="failed"} 1`) {
		t.Errorf("metrics:\n%s", data)
	}
}

func TestNotifyWebhook(t *testing.T) {
	var got Event
	var ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Error(err)
		}
		if r.URL.Query().Get("token") == "fail" {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	ev := Event{Format: 1, Job: "nightly", RunID: "r1", Stage: "snapshot", Status: StatusFailed, Error: "boom", Start: time.Now(), End: time.Now()}
	n := NotifyConfig{Webhook: srv.URL + "/hook?token=s3cret", Timeout: 5 * time.Second}
	if err := Notify(context.Background(), n, ev, nil); err != nil {
		t.Fatal(err)
	}
	if got.RunID != "r1" || got.Status != StatusFailed || got.Stage != "snapshot" || ctype != "application/json" {
		t.Errorf("received %+v (%s)", got, ctype)
	}
	n.Webhook = srv.URL + "/hook?token=fail"
	err := Notify(context.Background(), n, ev, nil)
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "token") {
		t.Errorf("error leaks the URL: %v", err)
	}
	srv.Close()
	n.Webhook = srv.URL + "/hook?token=s3cret"
	if err := Notify(context.Background(), n, ev, nil); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("closed server: %v", err)
	}
}

func TestNotifyCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env.json")
	t.Setenv("VIGIL_NOTIFY_TEST_HELPER", "notify")
	n := NotifyConfig{Command: []string{os.Args[0], "-test.run=^$", out}, Timeout: 10 * time.Second}
	ev := Event{Job: "nightly", RunID: "r9", Stage: "verify", Status: StatusTimeout, Error: "stage_timeout 1h elapsed"}
	if err := Notify(context.Background(), n, ev, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"VIGIL_JOB": "nightly", "VIGIL_RUN_ID": "r9", "VIGIL_STATUS": "timeout", "VIGIL_STAGE": "verify",
		"VIGIL_ERROR": "stage_timeout 1h elapsed", "stdin_run_id": "r9"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}

	t.Setenv("VIGIL_NOTIFY_TEST_FAIL", "1")
	if err := Notify(context.Background(), n, ev, nil); err == nil || !strings.Contains(err.Error(), "pager unreachable") {
		t.Errorf("failing command: %v", err)
	}

	t.Setenv("VIGIL_NOTIFY_TEST_HELPER", "sleep")
	n.Timeout = 100 * time.Millisecond
	if err := Notify(context.Background(), n, ev, nil); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("slow command: %v", err)
	}

	n.Command = []string{filepath.Join(t.TempDir(), "missing")}
	n.Webhook = "http://127.0.0.1:1/"
	err = Notify(context.Background(), n, ev, nil)
	if err == nil || !strings.Contains(err.Error(), "command") || !strings.Contains(err.Error(), "webhook") {
		t.Errorf("both hooks failing: %v", err)
	}
}

// The runner calls the configured hooks itself when notify.on matches.
func TestRunnerNotifiesWebhook(t *testing.T) {
	got := make(chan Event, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev Event
		_ = json.NewDecoder(r.Body).Decode(&ev)
		got <- ev
	}))
	defer srv.Close()
	cfg := testConfig(t, "  nightly: {stages: [a]}\nnotify: {webhook: \""+srv.URL+"\", on: [failed]}\n")
	fail := &fnStage{name: "a", fn: func(context.Context, *Env) (Result, error) { return Result{}, errors.New("no disk") }}
	res, err := (&Runner{Config: cfg}).Run(context.Background(), "nightly", []Stage{fail})
	if !errors.Is(err, ErrFailed) {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if ev.RunID != res.Run.RunID || ev.Error != "stage a: no disk" {
			t.Errorf("event %+v", ev)
		}
	default:
		t.Fatal("webhook not called")
	}
}
