// Package testshared locates the project's shared test data (../shared next
// to the repository: real models, vocabularies, chat templates and the
// reference engine's outputs) for tests.
//
// Outside CI a test that needs the data skips with a clear message when it
// is absent; in CI (CI=true) its absence fails the test, so that nothing is
// silently left untested.
package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder, from ATELIER_SHARED or as ../shared beside
// the module root, or "" when there is none.
func Dir() string {
	if d := os.Getenv("ATELIER_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path returns the path of rel inside the shared folder. It skips the test
// when the file is missing, or fails it when running in CI.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d := Dir()
	p := filepath.Join(d, filepath.FromSlash(rel))
	if d != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "shared test data " + rel + " not found (expected ../shared beside the repository, or set ATELIER_SHARED)"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
