//go:build linux || darwin || freebsd

package models

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/models/hubtest"
	"golang.org/x/sys/unix"
)

func TestPullRefusesConcurrentDownload(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	ref := mustRef(t, "hf.co/"+testRepo+"/"+testFile)
	hub.Set(func(h *hubtest.Hub) { h.CutAfter = 1000 })
	if _, err := p.Pull(context.Background(), ref, nil); !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
	// Another process holds the partial.
	partial := p.Store.Path(testRepo, testFile) + partialSuffix
	f, err := os.OpenFile(partial, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Skip("no flock here:", err)
	}
	if _, err := p.Pull(context.Background(), ref, nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	if fi, err := os.Stat(partial); err != nil || fi.Size() != 1000 {
		t.Errorf("the other download's partial was touched: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(partial)); err != nil {
		t.Error(err)
	}
}
