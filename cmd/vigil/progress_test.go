package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgressBar drives the bar on a buffer standing in for a terminal: a
// known total draws a percentage, a count past an estimated total grows the
// total instead of overflowing it, a log line first erases the bar, and a
// bar is off (draws nothing) when not on a terminal.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, on: true}
	p.Start("classify", 100, "rows")
	p.Add(40)
	if got := p.current().State().CurrentNum; got != 40 {
		t.Fatalf("after Add(40): %d", got)
	}
	p.Set(150) // the estimate was short
	if st := p.current().State(); st.CurrentNum != 150 || p.current().GetMax64() != 150 {
		t.Fatalf("after Set(150): %d of %d", st.CurrentNum, p.current().GetMax64())
	}
	if !strings.Contains(buf.String(), "classify   0% |") {
		t.Errorf("no percentage drawn:\n%q", buf.String())
	}
	buf.Reset()
	p.dirty = true
	if _, err := p.logWriter().Write([]byte("time=x level=INFO msg=hello\n")); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\r\033[Ktime=") {
		t.Errorf("a log line does not erase the bar first: %q", buf.String())
	}
	p.Finish()
	if p.current() != nil {
		t.Error("Finish left a bar")
	}

	off := newProgress(&buf, true) // a buffer is not a terminal
	buf.Reset()
	off.Start("verify", 10, unitBytes)
	off.Set(5)
	off.Finish()
	if buf.Len() != 0 {
		t.Errorf("drew on a non-terminal: %q", buf.String())
	}
}

// TestProgressEstimate: with an estimated total (PostgreSQL's planner rows,
// an Excel sheet's used range) the bar never reaches 100% before Finish:
// reaching or passing the estimate moves the total 5% ahead of the count.
func TestProgressEstimate(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, on: true}
	p.StartEstimate("snapshot customers", 1000, "rows")
	for _, n := range []int64{500, 999, 1000, 1500, 1501, 40000} {
		p.Set(n)
		st, max := p.current().State(), p.current().GetMax64()
		if st.CurrentNum != n || max <= n || st.CurrentPercent >= 1 {
			t.Fatalf("after Set(%d): %d of %d (%.3f)", n, st.CurrentNum, max, st.CurrentPercent)
		}
	}
	if got := p.current().GetMax64(); got != 42000 {
		t.Errorf("total after 40000 rows: %d, want 42000", got)
	}
	if strings.Contains(buf.String(), "100%") {
		t.Errorf("an estimate drew 100%%:\n%q", buf.String())
	}
	p.Finish()
	// An exact total started after it is not an estimate.
	p.Start("verify", 10, unitBytes)
	p.Set(10)
	if p.estimate {
		t.Error("Start kept the estimate flag of the bar before")
	}
	p.Finish()
}
