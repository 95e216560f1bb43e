package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/atelier-dev/atelier/internal/models"
)

// cmdPull downloads a model into the models folder.
func cmdPull(args []string, s stdio) error {
	fs := flag.NewFlagSet("pull", flag.ContinueOnError)
	fs.SetOutput(s.err)
	stall := fs.Duration("stall-timeout", models.DefaultStallTimeout, "give up when the hub sends nothing for this long")
	fs.Usage = func() {
		fmt.Fprint(s.err, "usage: atelier pull [--stall-timeout 60s] NAME | hf.co/ORG/REPO:QUANT | hf.co/ORG/REPO/FILE.gguf\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("pull: give one model name, e.g. atelier pull qwen2.5-coder:1.5b: %w", errUsage)
	}
	ref, err := models.ParseRef(fs.Arg(0))
	if err != nil {
		return err
	}
	store, err := models.DefaultStore()
	if err != nil {
		return err
	}
	p, err := models.NewPuller(store)
	if err != nil {
		return err
	}
	p.StallTimeout = *stall

	// Ctrl+C stops the download and keeps the partial file for a resume; a
	// second Ctrl+C kills the program as usual.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()

	res, err := p.Pull(ctx, ref, newPullProgress(s.err))
	if err != nil {
		return err
	}
	if res.Already {
		fmt.Fprintf(s.out, "%s is already installed (%s, %s)\n", res.Name, models.FormatBytes(uint64(res.Size)), res.Path)
	} else {
		fmt.Fprintf(s.out, "installed %s (%s, sha256 %s) in %s\n", res.Name, models.FormatBytes(uint64(res.Size)), res.SHA256[:16], res.Path)
	}
	warnIfTooBig(s.err, store.Dir, res.Path)
	return nil
}

// warnIfTooBig tells right away when the model will not fit this machine
// at an 8K context.
func warnIfTooBig(w io.Writer, dir, path string) {
	m := models.Detect(dir)
	if err := models.CheckFile(m, path, models.FitContexts[0]); errors.Is(err, models.ErrTooBig) {
		fmt.Fprintln(w, "atelier: warning:", err)
	}
}

// newPullProgress shows a progress bar on a terminal and plain lines
// elsewhere (logs, pipes, tests).
func newPullProgress(w io.Writer) models.Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{w: w}
	}
	return &lineProgress{w: w}
}

// barProgress draws a progress bar with speed and time left.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
	n   int64
}

func (b *barProgress) Start(name string, total, done int64) {
	b.n = done
	b.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }),
	)
	b.bar.Set64(done)
}

func (b *barProgress) Add(n int64) {
	b.n += n
	b.bar.Set64(b.n)
}

func (b *barProgress) Done() {
	if b.bar != nil && !b.bar.IsFinished() {
		fmt.Fprintln(b.w)
	}
}

// lineProgress prints a line every tenth of the way or every 10 seconds.
type lineProgress struct {
	w                  io.Writer
	total, done, first int64
	start, last        time.Time
	lastTenth          int64
}

func (l *lineProgress) Start(name string, total, done int64) {
	l.total, l.done, l.first = total, done, done
	l.start, l.last = time.Now(), time.Now()
	l.lastTenth = 10 * done / max(total, 1)
	if done > 0 {
		fmt.Fprintf(l.w, "pulling %s: %s, resuming at %s\n", name, models.FormatBytes(uint64(total)), models.FormatBytes(uint64(done)))
	} else {
		fmt.Fprintf(l.w, "pulling %s: %s\n", name, models.FormatBytes(uint64(total)))
	}
}

func (l *lineProgress) Add(n int64) {
	l.done += n
	tenth := 10 * l.done / max(l.total, 1)
	if tenth == l.lastTenth && time.Since(l.last) < 10*time.Second {
		return
	}
	l.lastTenth, l.last = tenth, time.Now()
	line := fmt.Sprintf("  %3d%%  %s of %s", 100*l.done/max(l.total, 1), models.FormatBytes(uint64(l.done)), models.FormatBytes(uint64(l.total)))
	if secs := time.Since(l.start).Seconds(); secs > 0.5 && l.done > l.first {
		rate := float64(l.done-l.first) / secs
		left := time.Duration(float64(l.total-l.done)/rate) * time.Second
		line += fmt.Sprintf(", %s/s, %s left", models.FormatBytes(uint64(rate)), left.Round(time.Second))
	}
	fmt.Fprintln(l.w, line)
}

func (l *lineProgress) Done() {}
