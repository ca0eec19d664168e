package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRefusesConfigWritableByOthers(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o640, true}, {0o644, true}, {0o660, false}, {0o602, false}, {0o666, false}} {
		path := filepath.Join(t.TempDir(), "vigil.yaml")
		if err := os.WriteFile(path, []byte("format: 1\nhome: h\nkeys: {key_file: k}\nsources: {}\njobs: {v: {stages: [verify]}}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, LoadOptions{KnownStages: []string{"verify"}})
		if tc.ok && err != nil {
			t.Errorf("mode %04o: %v", tc.mode, err)
		}
		if !tc.ok && (!errors.Is(err, ErrConfig) || !strings.Contains(errText(err), "writable by group or others")) {
			t.Errorf("mode %04o: %v, want refused", tc.mode, err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
