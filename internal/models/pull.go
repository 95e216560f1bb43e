package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	partialSuffix = ".partial"      // the bytes downloaded so far
	metaSuffix    = ".partial.json" // what the partial is of: size and SHA-256

	// DefaultStallTimeout is how long a download may receive nothing.
	DefaultStallTimeout = 60 * time.Second
)

// Progress follows a download. Start is called once before the first Add
// (done > 0 when a partial download resumes); Done after the last.
type Progress interface {
	Start(name string, total, done int64)
	Add(n int64)
	Done()
}

// Puller downloads models from a Hugging Face hub into a Store.
type Puller struct {
	Store    *Store
	Endpoint string // hub address; "" is DefaultEndpoint
	Token    string // sent as a Bearer token to the hub (never to other hosts)
	Offline  bool   // refuse to use the network

	Client       *http.Client  // nil: a plain client (redirect rules are always atelier's)
	StallTimeout time.Duration // 0: DefaultStallTimeout
	// FreeSpace reports the bytes free for a folder; nil uses DiskFree.
	FreeSpace func(dir string) (uint64, error)
}

// NewPuller returns a Puller for a store, configured from the environment:
// HF_ENDPOINT (default https://huggingface.co), HF_TOKEN, and
// ATELIER_OFFLINE=1 to refuse network access.
func NewPuller(s *Store) (*Puller, error) {
	p := &Puller{Store: s, Endpoint: os.Getenv("HF_ENDPOINT"), Token: strings.TrimSpace(os.Getenv("HF_TOKEN"))}
	switch strings.ToLower(os.Getenv("ATELIER_OFFLINE")) {
	case "", "0", "false", "no":
	default:
		p.Offline = true
	}
	if p.Endpoint != "" {
		if err := checkEndpoint(p.Endpoint); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func checkEndpoint(e string) error {
	if !strings.HasPrefix(e, "https://") && !strings.HasPrefix(e, "http://") {
		return fmt.Errorf("models: HF_ENDPOINT=%q is not an http:// or https:// address", e)
	}
	return nil
}

func (p *Puller) endpoint() string {
	if p.Endpoint == "" {
		return DefaultEndpoint
	}
	return strings.TrimRight(p.Endpoint, "/")
}

func (p *Puller) stall() time.Duration {
	if p.StallTimeout > 0 {
		return p.StallTimeout
	}
	return DefaultStallTimeout
}

// Result describes a finished pull.
type Result struct {
	Name    string // the name to use the model by
	Path    string
	Size    int64
	SHA256  string // "" when the model was already installed
	Already bool   // the file was installed before; nothing was downloaded
	Resumed int64  // bytes reused from an earlier partial download
}

// Pull downloads the file a reference names unless it is installed. The
// file lands atomically once whole and verified against the SHA-256 the hub
// publishes; until then it is FILE.partial beside the target, which a later
// Pull resumes. Cancelling ctx (Ctrl+C) leaves only that partial.
func (p *Puller) Pull(ctx context.Context, ref Ref, prog Progress) (Result, error) {
	if p.Offline {
		return Result{}, fmt.Errorf("models: ATELIER_OFFLINE is set, so pull will not use the network; unset it to download %s: %w", ref, ErrOffline)
	}
	if err := checkEndpoint(p.endpoint()); err != nil {
		return Result{}, err
	}
	if ref.File != "" {
		if r, ok := p.installed(ref); ok {
			return r, nil
		}
	}
	fromCatalog := ref.File != "" && ref.Catalog != nil
	if ref.File == "" {
		f, err := p.findFile(ctx, ref)
		if err != nil {
			return Result{}, err
		}
		ref.File = f
		if r, ok := p.installed(ref); ok {
			return r, nil
		}
	}
	rem, err := p.head(ctx, ref.Repo, ref.File)
	if errors.Is(err, ErrNotFound) && fromCatalog {
		// The catalog's file name may be out of date: look the quantization
		// up in the repository's file list instead.
		f, ferr := p.findFile(ctx, Ref{Repo: ref.Repo, Quant: ref.Quant})
		if ferr != nil {
			return Result{}, err
		}
		ref.File = f
		if r, ok := p.installed(ref); ok {
			return r, nil
		}
		rem, err = p.head(ctx, ref.Repo, ref.File)
	}
	if err != nil {
		return Result{}, err
	}
	return p.download(ctx, ref, rem, prog)
}

func (p *Puller) findFile(ctx context.Context, ref Ref) (string, error) {
	files, err := p.listFiles(ctx, ref.Repo)
	if err != nil {
		return "", err
	}
	return pickFile(ref.Repo, ref.Quant, files)
}

func (p *Puller) installed(ref Ref) (Result, bool) {
	target := p.Store.Path(ref.Repo, ref.File)
	fi, err := os.Stat(target)
	if err != nil || !fi.Mode().IsRegular() {
		return Result{}, false
	}
	return Result{Name: p.Store.entry(target, fi).Name, Path: target, Size: fi.Size(), Already: true}, true
}

// partialMeta is recorded beside a partial download, so a changed upstream
// file restarts the download instead of mixing two files.
type partialMeta struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

func (p *Puller) download(ctx context.Context, ref Ref, rem remote, prog Progress) (Result, error) {
	target := p.Store.Path(ref.Repo, ref.File)
	name, _, _ := p.Store.describe(target)
	dir := filepath.Dir(target)
	partial, metaPath := target+partialSuffix, target+metaSuffix

	// Keep a partial only if it is of this very file.
	var meta partialMeta
	keep := false
	if b, err := os.ReadFile(metaPath); err == nil && json.Unmarshal(b, &meta) == nil &&
		meta.SHA256 == rem.SHA256 && meta.Size == rem.Size {
		keep = true
	}
	var have int64
	if fi, err := os.Stat(partial); keep && err == nil && fi.Size() <= rem.Size {
		have = fi.Size()
	}
	// Check the space before writing anything.
	if err := p.checkSpace(dir, name, rem.Size-have); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("models: cannot create the models folder: %w", err)
	}
	if !keep {
		removePartial(target)
		if err := writeFileAtomic(metaPath, mustJSON(partialMeta{rem.SHA256, rem.Size})); err != nil {
			return Result{}, fmt.Errorf("models: %w", err)
		}
	}
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return Result{}, fmt.Errorf("models: %w", err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	if err := lockPartial(f, name); err != nil {
		return Result{}, err
	}

	// Re-hash what is already there.
	h := sha256.New()
	have, err = io.Copy(h, f)
	if err != nil {
		return Result{}, fmt.Errorf("models: reading the partial download %s: %w", partial, err)
	}
	if have > rem.Size {
		if err := restart(f, h); err != nil {
			return Result{}, err
		}
		have = 0
	}
	resumed := have

	if prog != nil {
		prog.Start(name, rem.Size, have)
		defer prog.Done()
	}
	if have < rem.Size {
		n, err := p.get(ctx, ref, have, rem.Size, f, h, prog)
		have = n
		if err != nil {
			if errors.Is(err, ErrInterrupted) || errors.Is(err, ErrStalled) {
				f.Sync()
			}
			return Result{}, err
		}
	}

	sum := hex.EncodeToString(h.Sum(nil))
	if have != rem.Size || sum != rem.SHA256 {
		f.Close()
		f = nil
		removePartial(target)
		if have != rem.Size {
			return Result{}, fmt.Errorf("models: %s arrived with %d bytes instead of %d; the download was discarded, run pull again: %w", name, have, rem.Size, ErrChecksum)
		}
		return Result{}, fmt.Errorf("models: %s failed its SHA-256 check (got %s, the hub published %s); the download was discarded, run pull again: %w", name, sum[:12], rem.SHA256[:12], ErrChecksum)
	}
	if err := f.Sync(); err != nil {
		return Result{}, fmt.Errorf("models: %w", err)
	}
	if err := f.Close(); err != nil {
		f = nil
		return Result{}, fmt.Errorf("models: %w", err)
	}
	f = nil
	if err := os.Rename(partial, target); err != nil {
		return Result{}, fmt.Errorf("models: installing %s: %w", name, err)
	}
	os.Remove(metaPath)
	syncDir(dir)
	return Result{Name: name, Path: target, Size: rem.Size, SHA256: sum, Resumed: resumed}, nil
}

func (p *Puller) checkSpace(dir, name string, need int64) error {
	free := p.FreeSpace
	if free == nil {
		free = DiskFree
	}
	avail, err := free(existingAncestor(dir))
	if err != nil || need <= 0 {
		return nil // unknown on this system: the write itself will tell
	}
	if uint64(need) > avail {
		return fmt.Errorf("models: not enough disk space in %s for %s: it needs %s more and %s is free; free some space or set ATELIER_MODELS to a folder on a larger disk: %w",
			dir, name, FormatBytes(uint64(need)), FormatBytes(avail), ErrNoSpace)
	}
	return nil
}

// existingAncestor returns dir or its nearest parent that exists.
func existingAncestor(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			return d
		}
	}
}

// get downloads from offset to the end into f, hashing into h. It returns
// how many bytes f holds.
func (p *Puller) get(ctx context.Context, ref Ref, offset, size int64, f *os.File, h hash.Hash, prog Progress) (int64, error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := p.stall()
	t := time.AfterFunc(stall, func() { cancel(ErrStalled) })
	defer t.Stop()
	what := "downloading " + ref.Repo + "/" + ref.File
	req, err := p.newRequest(reqCtx, http.MethodGet, p.resolveURL(ref.Repo, ref.File))
	if err != nil {
		return offset, err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := p.client().Do(req)
	if err != nil {
		return offset, p.interrupted(ctx, reqCtx, err, what, offset, size)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != offset {
			return offset, fmt.Errorf("models: the hub sent the wrong part of %s (%q for byte %d): %w", ref.File, resp.Header.Get("Content-Range"), offset, ErrHub)
		}
	case http.StatusOK:
		// The server ignored the range: start over.
		if offset > 0 {
			if err := restart(f, h); err != nil {
				return offset, err
			}
			if prog != nil {
				prog.Add(-offset)
			}
			offset = 0
		}
	case http.StatusRequestedRangeNotSatisfiable:
		return offset, nil // nothing left to send; verification decides
	default:
		return offset, p.statusError(resp, "file "+ref.Repo+"/"+ref.File)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset, fmt.Errorf("models: %w", err)
	}
	w := io.MultiWriter(f, h)
	buf := make([]byte, 256<<10)
	n := offset
	for {
		k, rerr := resp.Body.Read(buf)
		if k > 0 {
			t.Reset(stall)
			if n+int64(k) > size {
				return n, fmt.Errorf("models: the hub sent more than the %d bytes of %s: %w", size, ref.File, ErrChecksum)
			}
			if _, err := w.Write(buf[:k]); err != nil {
				if errors.Is(err, syscall.ENOSPC) {
					return n, fmt.Errorf("models: the disk filled up while downloading %s; the partial download is kept, free some space and run pull again: %w", ref.File, ErrNoSpace)
				}
				return n, fmt.Errorf("models: writing %s: %w", ref.File, err)
			}
			n += int64(k)
			if prog != nil {
				prog.Add(int64(k))
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, p.interrupted(ctx, reqCtx, rerr, what, n, size)
		}
	}
}

func (p *Puller) interrupted(ctx, reqCtx context.Context, err error, what string, n, size int64) error {
	pct := 0.0
	if size > 0 {
		pct = 100 * float64(n) / float64(size)
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("models: %s stopped at %.0f%%; run the same pull again to resume: %w", what, pct, ErrInterrupted)
	case errors.Is(context.Cause(reqCtx), ErrStalled):
		return fmt.Errorf("models: the hub sent nothing for %s while %s (stopped at %.0f%%); check the network and run pull again to resume: %w", p.stall(), what, pct, ErrStalled)
	}
	return fmt.Errorf("models: %s broke off at %.0f%% (%v); run pull again to resume: %w", what, pct, err, ErrInterrupted)
}

// rangeStart parses the first byte of "bytes START-END/TOTAL".
func rangeStart(cr string) (int64, bool) {
	s, ok := strings.CutPrefix(strings.TrimSpace(cr), "bytes ")
	if !ok {
		return 0, false
	}
	i := strings.IndexByte(s, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	return n, err == nil
}

func restart(f *os.File, h hash.Hash) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	h.Reset()
	return nil
}

// removePartial deletes the partial download of target and its record.
func removePartial(target string) {
	os.Remove(target + partialSuffix)
	os.Remove(target + metaSuffix)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled here
	}
	return b
}

// writeFileAtomic writes a small file through a temporary file and rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// FormatBytes prints a size for people: "986 MB", "4.68 GB" (powers of
// 1000, as the hub shows them).
func FormatBytes(n uint64) string {
	switch {
	case n >= 1e12:
		return fmt.Sprintf("%.2f TB", float64(n)/1e12)
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
