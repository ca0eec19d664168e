package s3test

import "testing"

func TestKillAndRestart(t *testing.T) {
	s := Start(t)
	if !s.ready() {
		t.Fatal("not ready")
	}
	s.Kill()
	if s.ready() {
		t.Fatal("still answering after Kill")
	}
	s.Restart(t)
	if !s.ready() {
		t.Fatal("not ready after Restart")
	}
}
