package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress draws a one-line progress bar on a terminal. It is a no-op when the
// writer is not a terminal, when CI is set, or when disabled, so logs and CI
// output stay clean.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	label   string
	total   int64
	done    int64
	unit    string
	started time.Time
	last    time.Time
}

// newProgress returns a progress bar on w if w is an interactive terminal.
func newProgress(w io.Writer, enabled bool) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && enabled && os.Getenv("CI") == "" && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

// Start begins a new bar; total <= 0 draws a counter without a percentage.
func (p *progress) Start(label string, total int64, unit string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label, p.total, p.unit, p.done = label, total, unit, 0
	p.started = time.Now()
	p.last = time.Time{}
}

// Add advances the bar by n and redraws at most ten times a second.
func (p *progress) Add(n int64) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.draw()
	}
}

// Finish clears the bar line.
func (p *progress) Finish() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
}

func (p *progress) draw() {
	rate := float64(p.done) / time.Since(p.started).Seconds()
	if p.total > 0 {
		frac := float64(p.done) / float64(p.total)
		if frac > 1 {
			frac = 1
		}
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %3.0f%% %.0f %s/s", p.label, strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100, rate, p.unit)
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s %d %s (%.0f %s/s)", p.label, p.done, p.unit, rate, p.unit)
}
