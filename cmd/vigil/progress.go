package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws one progress line on a terminal with
// github.com/schollz/progressbar: label, count, rate, and with a known total
// a bar, the percentage and the ETA; with an unknown total a spinner with
// the elapsed time, kept alive even while the stage reports nothing. It is a
// no-op when stderr is not a terminal, when CI is set, or when disabled, so
// logs and CI output stay clean.
//
// Logs go through logWriter: a log line first erases the progress line, so
// that no log line starts on it; the bar is drawn again on its next update.
type progress struct {
	mu   sync.Mutex // guards the terminal line and the fields below
	w    io.Writer
	on   bool
	bar  *progressbar.ProgressBar
	sink *barSink
	// dirty: the progress line is on the screen.
	dirty bool
	// estimate: the bar's total is an estimate (StartEstimate).
	estimate bool
}

// newProgress returns a progress bar on w if w is an interactive terminal.
func newProgress(w io.Writer, enabled bool) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && enabled && os.Getenv("CI") == "" && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

// barSink is where one bar draws; after Finish it swallows what the bar's
// spinner goroutine may still draw.
type barSink struct {
	p      *progress
	closed bool
}

func (s *barSink) Write(b []byte) (int, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.closed {
		return len(b), nil
	}
	s.p.dirty = true
	return s.p.w.Write(b)
}

// unitBytes as Start's unit counts bytes (shown as kB, MB, MB/s).
const unitBytes = "bytes"

// Start begins a new bar; total <= 0 draws a spinner without a percentage.
func (p *progress) Start(label string, total int64, unit string) {
	p.start(label, total, unit, false)
}

// StartEstimate is Start with a total that is only an estimate (the
// planner's rows of a PostgreSQL query, an Excel sheet's used range): the
// work may end before it or run past it. Past it, the total moves ahead of
// the count (Set), so the bar never shows 100% before the work is done.
func (p *progress) StartEstimate(label string, total int64, unit string) {
	p.start(label, total, unit, true)
}

func (p *progress) start(label string, total int64, unit string, estimate bool) {
	if p == nil || !p.on {
		return
	}
	p.Finish()
	sink := &barSink{p: p}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(sink),
		progressbar.OptionSetDescription(label),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	}
	switch unit {
	case "":
	case unitBytes:
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount())
	default:
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
	}
	if total <= 0 {
		total = -1
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	bar := progressbar.NewOptions64(total, opts...)
	p.mu.Lock()
	p.bar, p.sink, p.estimate = bar, sink, estimate && total > 0
	p.mu.Unlock()
}

// Add advances the bar by n; the library redraws at most ten times a second.
func (p *progress) Add(n int64) {
	if bar := p.current(); bar != nil {
		p.Set(bar.State().CurrentNum + n)
	}
}

// current is the bar being drawn, or nil.
func (p *progress) current() *progressbar.ProgressBar {
	if p == nil || !p.on {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bar
}

// countRows returns rr, advancing the bar by the rows of every batch read.
func (p *progress) countRows(rr array.RecordReader) array.RecordReader {
	if p == nil || !p.on {
		return rr
	}
	return &rowCounter{RecordReader: rr, p: p}
}

type rowCounter struct {
	array.RecordReader
	p *progress
}

func (r *rowCounter) Next() bool {
	if !r.RecordReader.Next() {
		return false
	}
	r.p.Add(r.RecordBatch().NumRows())
	return true
}

// Set moves the bar to n, never past its total: a total that was short
// grows to n — or, for an estimate, to n plus 5%, so that the bar stays
// short of 100% until Finish.
func (p *progress) Set(n int64) {
	bar := p.current()
	if bar == nil {
		return
	}
	p.mu.Lock()
	estimate := p.estimate
	p.mu.Unlock()
	if max := bar.GetMax64(); max > 0 {
		switch {
		case estimate && n >= max:
			bar.ChangeMax64(estimateAhead(n))
		case n > max:
			bar.ChangeMax64(n)
		}
	}
	_ = bar.Set64(n)
}

// estimateAhead is the total an estimate moves to once the count n has
// reached it: 5% ahead, at least one.
func estimateAhead(n int64) int64 { return n + max(n/20, 1) }

// Finish ends the bar and clears its line.
func (p *progress) Finish() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	bar, sink := p.bar, p.sink
	p.bar, p.sink = nil, nil
	if sink != nil {
		sink.closed = true
	}
	p.clearLocked()
	p.mu.Unlock()
	if bar != nil {
		_ = bar.Exit()
	}
}

// Done is Finish.
func (p *progress) Done() { p.Finish() }

func (p *progress) clearLocked() {
	if p.dirty {
		_, _ = io.WriteString(p.w, "\r\033[K")
		p.dirty = false
	}
}

// logWriter returns the writer logs go to: w itself, but a log line never
// starts on the progress line.
func (p *progress) logWriter() io.Writer {
	if p == nil || !p.on {
		return p.w
	}
	return logLineWriter{p}
}

type logLineWriter struct{ p *progress }

func (l logLineWriter) Write(b []byte) (int, error) {
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	l.p.clearLocked()
	return l.p.w.Write(b)
}
