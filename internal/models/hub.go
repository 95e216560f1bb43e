package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors of talking to the hub; each comes wrapped in one sentence that
// says what to do.
var (
	ErrOffline      = errors.New("offline")
	ErrNotFound     = errors.New("not found on the hub")
	ErrUnauthorized = errors.New("not authorized by the hub")
	ErrHub          = errors.New("unexpected answer from the hub")
	ErrStalled      = errors.New("download stalled")
	ErrInterrupted  = errors.New("download interrupted")
	ErrNoSpace      = errors.New("not enough disk space")
	ErrChecksum     = errors.New("checksum mismatch")
	ErrBusy         = errors.New("download in progress elsewhere")
)

// DefaultEndpoint is the public Hugging Face hub.
const DefaultEndpoint = "https://huggingface.co"

// hubFile is one entry of the hub's file list.
type hubFile struct {
	Type string `json:"type"`
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// remote is what the hub says about a file before we download it.
type remote struct {
	SHA256 string // lower-case hex
	Size   int64
}

func (p *Puller) resolveURL(repo, file string) string {
	return p.endpoint() + "/" + repo + "/resolve/main/" + escapePath(file)
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// newRequest makes a request that carries the token only to the hub itself.
func (p *Puller) newRequest(ctx context.Context, method, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("models: bad hub address %q: %w", u, err)
	}
	req.Header.Set("User-Agent", "atelier")
	if p.Token != "" && sameHost(req.URL, p.endpoint()) {
		req.Header.Set("Authorization", "Bearer "+p.Token)
	}
	return req, nil
}

func sameHost(u *url.URL, endpoint string) bool {
	e, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(u.Host, e.Host)
}

// client returns the HTTP client for downloads: it follows redirects but
// never forwards the token to another host.
func (p *Puller) client() *http.Client {
	c := http.Client{}
	if p.Client != nil {
		c = *p.Client
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			req.Header.Del("Authorization")
		}
		return nil
	}
	return &c
}

// noRedirect returns a client that hands redirects back to the caller.
func (p *Puller) noRedirect() *http.Client {
	c := http.Client{}
	if p.Client != nil {
		c = *p.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// statusError turns a failed answer into one sentence.
func (p *Puller) statusError(resp *http.Response, what string) error {
	code := resp.Header.Get("X-Error-Code")
	switch {
	case resp.StatusCode == http.StatusUnauthorized && p.Token == "":
		return fmt.Errorf("models: the hub refused access to %s (401 Unauthorized): it may be private or gated, or not exist; set HF_TOKEN to an access token that can read it: %w", what, ErrUnauthorized)
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("models: the hub refused HF_TOKEN for %s (401 Unauthorized); check that the token is valid and can read it: %w", what, ErrUnauthorized)
	case resp.StatusCode == http.StatusForbidden || code == "GatedRepo":
		return fmt.Errorf("models: the hub refused access to %s (403 Forbidden); accept the model's terms on its hub page with the account of HF_TOKEN first: %w", what, ErrUnauthorized)
	case resp.StatusCode == http.StatusNotFound && code == "RepoNotFound" && strings.HasPrefix(what, "file "):
		repo, _, _ := strings.Cut(strings.TrimPrefix(what, "file "), "/")
		rest, _, _ := strings.Cut(strings.TrimPrefix(what, "file "+repo+"/"), "/")
		return fmt.Errorf("models: the hub has no repository %s/%s (404 Not Found); check the name: %w", repo, rest, ErrNotFound)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("models: the hub has no %s (404 Not Found); check the name: %w", what, ErrNotFound)
	}
	return fmt.Errorf("models: the hub answered %s for %s; try again later: %w", resp.Status, what, ErrHub)
}

// netError explains a failed request.
func netError(ctx context.Context, reqCtx context.Context, err error, what string, stall time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("models: %s: %w", what, ErrInterrupted)
	case errors.Is(context.Cause(reqCtx), ErrStalled):
		return fmt.Errorf("models: the hub sent nothing for %s while %s; check the network and run pull again (a download resumes where it stopped): %w", stall, what, ErrStalled)
	}
	return fmt.Errorf("models: %s failed: %w", what, err)
}

// maxListPages bounds how many pages of a repository's file list are
// followed (a hub that links a page to itself must not loop forever).
const maxListPages = 100

// listFiles returns the files of a repository's main branch. The hub
// answers a long list in pages, each naming the next in a Link header
// (rel="next", as GitHub's API does); every page is followed.
func (p *Puller) listFiles(ctx context.Context, repo string) ([]hubFile, error) {
	var files []hubFile
	u := p.endpoint() + "/api/models/" + repo + "/tree/main?recursive=true"
	for range maxListPages {
		page, next, err := p.listPage(ctx, repo, u)
		if err != nil {
			return nil, err
		}
		files = append(files, page...)
		if next == "" {
			return files, nil
		}
		u = next
	}
	return nil, fmt.Errorf("models: the hub's file list of %s goes on for more than %d pages: %w", repo, maxListPages, ErrHub)
}

// listPage fetches one page of a file list and the address of the next
// ("" after the last).
func (p *Puller) listPage(ctx context.Context, repo, u string) (files []hubFile, next string, err error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := time.AfterFunc(p.stall(), func() { cancel(ErrStalled) })
	defer t.Stop()
	req, err := p.newRequest(reqCtx, http.MethodGet, u)
	if err != nil {
		return nil, "", err
	}
	what := "listing the files of " + repo
	resp, err := p.client().Do(req)
	if err != nil {
		return nil, "", netError(ctx, reqCtx, err, what, p.stall())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", p.statusError(resp, "repository "+repo)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&files); err != nil {
		if reqCtx.Err() != nil {
			return nil, "", netError(ctx, reqCtx, err, what, p.stall())
		}
		return nil, "", fmt.Errorf("models: the hub's file list of %s is not what atelier expects: %v: %w", repo, err, ErrHub)
	}
	if link := nextLink(resp.Header.Values("Link")); link != "" {
		ref, err := url.Parse(link)
		if err != nil {
			return nil, "", fmt.Errorf("models: the hub's file list of %s links to a bad next page %q: %w", repo, link, ErrHub)
		}
		next = resp.Request.URL.ResolveReference(ref).String()
	}
	return files, next, nil
}

// nextLink returns the target of the rel="next" link of Link header
// values (RFC 8288: `<URL>; rel="next", <URL>; rel="last"`), or "".
func nextLink(values []string) string {
	for _, v := range values {
		for v != "" {
			start := strings.IndexByte(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			v = v[start+end+1:]
			params := v
			if i := strings.IndexByte(v, '<'); i >= 0 {
				params = v[:i]
			}
			for param := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(param), ",")), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
		}
	}
	return ""
}

// pickFile chooses the file of a quantization from a repository's list.
func pickFile(repo, quant string, files []hubFile) (string, error) {
	var hits, splits []string
	have := map[string]bool{}
	for _, f := range files {
		if f.Type != "" && f.Type != "file" {
			continue
		}
		base := strings.ToLower(path.Base(f.Path))
		if !strings.HasSuffix(base, ".gguf") || strings.Contains(base, "mmproj") {
			continue
		}
		if isSplitFile(f.Path) {
			if strings.Contains(strings.ToUpper(base), strings.ToUpper(quant)) {
				splits = append(splits, f.Path)
			}
			continue
		}
		if q := quantOfName(f.Path); q != "" {
			have[q] = true
		}
		if fileMatchesQuant(f.Path, quant) {
			hits = append(hits, f.Path)
		}
	}
	if len(hits) == 0 {
		if len(splits) > 0 {
			return "", fmt.Errorf("models: %s publishes %s only as a split GGUF (%d parts), which pull cannot join yet: %w", repo, quant, len(splits), ErrNotFound)
		}
		qs := make([]string, 0, len(have))
		for q := range have {
			qs = append(qs, strings.ToLower(q))
		}
		sort.Strings(qs)
		if len(qs) == 0 {
			return "", fmt.Errorf("models: %s has no .gguf files: %w", repo, ErrNotFound)
		}
		return "", fmt.Errorf("models: %s has no %s file; it has %s: %w", repo, quant, strings.Join(qs, ", "), ErrNotFound)
	}
	// Prefer files at the top of the repository, then the shortest name.
	sort.SliceStable(hits, func(i, j int) bool {
		di, dj := strings.Count(hits[i], "/"), strings.Count(hits[j], "/")
		if di != dj {
			return di < dj
		}
		return len(hits[i]) < len(hits[j])
	})
	return hits[0], nil
}

// head asks the hub for a file's SHA-256 and size: the hub answers the
// resolve address with a redirect to its CDN that carries X-Linked-Etag and
// X-Linked-Size; redirects without them (a renamed repository) are
// followed.
func (p *Puller) head(ctx context.Context, repo, file string) (remote, error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := time.AfterFunc(p.stall(), func() { cancel(ErrStalled) })
	defer t.Stop()
	what := repo + "/" + file
	u := p.resolveURL(repo, file)
	c := p.noRedirect()
	for hop := 0; hop < 10; hop++ {
		req, err := p.newRequest(reqCtx, http.MethodHead, u)
		if err != nil {
			return remote{}, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return remote{}, netError(ctx, reqCtx, err, "asking the hub about "+what, p.stall())
		}
		resp.Body.Close()
		if etag := resp.Header.Get("X-Linked-Etag"); etag != "" && resp.StatusCode < 400 {
			return parseRemote(what, etag, resp.Header.Get("X-Linked-Size"))
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return remote{}, fmt.Errorf("models: the hub redirected %s nowhere: %w", what, ErrHub)
			}
			u = loc.String()
			continue
		case resp.StatusCode == http.StatusOK:
			return parseRemote(what, resp.Header.Get("ETag"), resp.Header.Get("Content-Length"))
		}
		return remote{}, p.statusError(resp, "file "+what)
	}
	return remote{}, fmt.Errorf("models: too many redirects for %s: %w", what, ErrHub)
}

func parseRemote(what, etag, size string) (remote, error) {
	etag = strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	etag = strings.ToLower(strings.Trim(etag, `"`))
	if len(etag) != 64 || strings.Trim(etag, "0123456789abcdef") != "" {
		return remote{}, fmt.Errorf("models: the hub published no SHA-256 for %s, so it cannot be verified; atelier only installs verified files: %w", what, ErrHub)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(size), 10, 64)
	if err != nil || n <= 0 {
		return remote{}, fmt.Errorf("models: the hub gave no size for %s: %w", what, ErrHub)
	}
	return remote{SHA256: etag, Size: n}, nil
}
