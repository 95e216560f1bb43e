package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-dev/atelier/internal/models/hubtest"
)

const (
	testRepo = "acme/Tiny-Coder-GGUF"
	testFile = "tiny-coder-q4_k_m.gguf"
)

func testData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// newTestPuller starts a fake hub with one repository of two files and a
// puller for it in a fresh store.
func newTestPuller(t *testing.T) (*hubtest.Hub, *Puller, []byte) {
	t.Helper()
	hub := hubtest.New()
	t.Cleanup(hub.Close)
	data := testData(3<<20 + 12345)
	hub.Add(testRepo, testFile, data)
	hub.Add(testRepo, "tiny-coder-q8_0.gguf", testData(1000))
	hub.Add(testRepo, "tiny-coder-q4_k.gguf", testData(900))
	p := &Puller{
		Store:        &Store{Dir: t.TempDir()},
		Endpoint:     hub.URL,
		StallTimeout: 2 * time.Second,
		FreeSpace:    func(string) (uint64, error) { return 1 << 40, nil },
	}
	return hub, p, data
}

func mustRef(t *testing.T, s string) Ref {
	t.Helper()
	r, err := ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// storeFiles lists every file in the store, relative to it.
func storeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestPullByQuant(t *testing.T) {
	hub, p, data := newTestPuller(t)
	p.Token = "secret"
	hub.Token = "secret"
	res, err := p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+":Q4_K_M"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(res.Path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("installed file differs (err %v)", err)
	}
	if want := p.Store.Path(testRepo, testFile); res.Path != want {
		t.Errorf("path = %s, want %s", res.Path, want)
	}
	if res.SHA256 != hubtest.SHA256(data) || res.Name != "hf.co/"+testRepo+"/"+testFile {
		t.Errorf("result = %+v", res)
	}
	if files := storeFiles(t, p.Store.Dir); len(files) != 1 {
		t.Errorf("store holds %v, want only the model", files)
	}
	for _, r := range hub.Requests() {
		switch {
		case r.Server == "cdn" && r.Auth != "":
			t.Errorf("the token was sent to the CDN: %+v", r)
		case r.Server == "hub" && r.Auth != "Bearer secret":
			t.Errorf("the hub did not get the token: %+v", r)
		}
	}
	// A second pull finds it installed and downloads nothing.
	n := len(hub.Requests())
	res, err = p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+"/"+testFile), nil)
	if err != nil || !res.Already {
		t.Fatalf("second pull: %+v, %v", res, err)
	}
	if len(hub.Requests()) != n {
		t.Error("second pull of an installed file used the network")
	}
}

type recProgress struct {
	name        string
	total, done int64
	starts      int
}

func (r *recProgress) Start(name string, total, done int64) {
	r.name, r.total, r.done = name, total, done
	r.starts++
}
func (r *recProgress) Add(n int64) { r.done += n }
func (r *recProgress) Done()       {}

func TestPullResumesAfterCut(t *testing.T) {
	hub, p, data := newTestPuller(t)
	half := int64(len(data) / 2)
	hub.Set(func(h *hubtest.Hub) { h.CutAfter = half })
	ref := mustRef(t, "hf.co/"+testRepo+"/"+testFile)
	target := p.Store.Path(testRepo, testFile)

	_, err := p.Pull(context.Background(), ref, nil)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("cut transfer: err = %v, want ErrInterrupted", err)
	}
	if !strings.Contains(err.Error(), "resume") {
		t.Errorf("error does not say how to resume: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatal("a model file exists after a cut transfer")
	}
	fi, err := os.Stat(target + partialSuffix)
	if err != nil || fi.Size() != half {
		t.Fatalf("partial: %v, size %d, want %d", err, fi.Size(), half)
	}

	prog := &recProgress{}
	res, err := p.Pull(context.Background(), ref, prog)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != half {
		t.Errorf("resumed %d bytes, want %d", res.Resumed, half)
	}
	if prog.starts != 1 || prog.total != int64(len(data)) || prog.done != int64(len(data)) {
		t.Errorf("progress = %+v", prog)
	}
	got, _ := os.ReadFile(target)
	if !bytes.Equal(got, data) {
		t.Fatal("resumed file differs from the original")
	}
	reqs := hub.Requests()
	last := reqs[len(reqs)-1]
	if last.Server != "cdn" || last.Range != fmt.Sprintf("bytes=%d-", half) {
		t.Errorf("last request = %+v, want a CDN range request from byte %d", last, half)
	}
	if files := storeFiles(t, p.Store.Dir); len(files) != 1 {
		t.Errorf("store holds %v, want only the model", files)
	}
}

func TestPullWrongChecksum(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	hub.Set(func(h *hubtest.Hub) { h.WrongSHA = true })
	_, err := p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+"/"+testFile), nil)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("err = %v, want a checksum error", err)
	}
	if files := storeFiles(t, p.Store.Dir); len(files) != 0 {
		t.Errorf("store holds %v after a bad checksum, want nothing", files)
	}
}

func TestPullRestartsWhenUpstreamChanged(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	ref := mustRef(t, "hf.co/"+testRepo+"/"+testFile)
	hub.Set(func(h *hubtest.Hub) { h.CutAfter = 1 << 20 })
	if _, err := p.Pull(context.Background(), ref, nil); !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
	newData := testData(2 << 20)
	newData[0] ^= 0xff
	hub.Add(testRepo, testFile, newData)
	res, err := p.Pull(context.Background(), ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(res.Path)
	if res.Resumed != 0 || !bytes.Equal(got, newData) {
		t.Fatalf("resumed %d bytes of another file; content equal: %v", res.Resumed, bytes.Equal(got, newData))
	}
}

func TestPullServerIgnoresRange(t *testing.T) {
	hub, p, data := newTestPuller(t)
	ref := mustRef(t, "hf.co/"+testRepo+"/"+testFile)
	hub.Set(func(h *hubtest.Hub) { h.CutAfter = 1000 })
	p.Pull(context.Background(), ref, nil)
	hub.Set(func(h *hubtest.Hub) { h.IgnoreRange = true })
	res, err := p.Pull(context.Background(), ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(res.Path)
	if !bytes.Equal(got, data) {
		t.Fatal("file differs after a server ignored the range")
	}
}

func TestPullStall(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	p.StallTimeout = 150 * time.Millisecond
	hub.Set(func(h *hubtest.Hub) { h.Stall, h.StallAfter = true, 4096 })
	_, err := p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+"/"+testFile), nil)
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "sent nothing for 150ms") {
		t.Fatalf("err = %v, want a stall", err)
	}
	fi, err := os.Stat(p.Store.Path(testRepo, testFile) + partialSuffix)
	if err != nil || fi.Size() != 4096 {
		t.Fatalf("partial after stall: %v", err)
	}
}

func TestPullCancelLeavesPartial(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	hub.Set(func(h *hubtest.Hub) { h.Stall, h.StallAfter = true, 5000 })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := p.Pull(ctx, mustRef(t, "hf.co/"+testRepo+"/"+testFile), nil)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	files := storeFiles(t, p.Store.Dir)
	want := []string{testRepo + "/" + testFile + partialSuffix, testRepo + "/" + testFile + metaSuffix}
	if strings.Join(files, ",") != strings.Join(want, ",") {
		t.Errorf("store after Ctrl+C = %v, want %v", files, want)
	}
}

func TestPullErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ref    string
		setup  func(h *hubtest.Hub, p *Puller)
		target error
		words  string
	}{
		{"missing file", "hf.co/" + testRepo + "/nope-q4_k_m.gguf", nil, ErrNotFound, "404"},
		{"missing repo", "hf.co/acme/Nothing-GGUF:Q4_K_M", nil, ErrNotFound, "404"},
		{"missing quant", "hf.co/" + testRepo + ":Q6_K", nil, ErrNotFound, "q4_k, q4_k_m, q8_0"},
		{"no token", "hf.co/" + testRepo + "/" + testFile, func(h *hubtest.Hub, p *Puller) { h.Token = "t" }, ErrUnauthorized, "set HF_TOKEN"},
		{"bad token", "hf.co/" + testRepo + "/" + testFile, func(h *hubtest.Hub, p *Puller) { h.Token, p.Token = "t", "u" }, ErrUnauthorized, "refused HF_TOKEN"},
		{"full disk", "hf.co/" + testRepo + "/" + testFile, func(h *hubtest.Hub, p *Puller) {
			p.FreeSpace = func(string) (uint64, error) { return 1000, nil }
		}, ErrNoSpace, "not enough disk space"},
		{"offline", "hf.co/" + testRepo + "/" + testFile, func(h *hubtest.Hub, p *Puller) { p.Offline = true }, ErrOffline, "ATELIER_OFFLINE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub, p, _ := newTestPuller(t)
			if tc.setup != nil {
				tc.setup(hub, p)
			}
			_, err := p.Pull(context.Background(), mustRef(t, tc.ref), nil)
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.words) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.target, tc.words)
			}
			if strings.Count(err.Error(), "\n") != 0 || !strings.HasPrefix(err.Error(), "models: ") {
				t.Errorf("error is not one sentence: %q", err)
			}
			if files := storeFiles(t, p.Store.Dir); len(files) != 0 {
				t.Errorf("store holds %v, want nothing", files)
			}
			if tc.target == ErrOffline && len(hub.Requests()) != 0 {
				t.Error("offline pull used the network")
			}
		})
	}
}

// TestPullCatalogFallsBackToFileList checks that a catalog file name the
// repository no longer has (the hub answers 404) is looked up by
// quantization in the repository's file list, here a paginated one.
func TestPullCatalogFallsBackToFileList(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	hub.Set(func(h *hubtest.Hub) { h.PageSize = 1 })
	m, f, err := Lookup("qwen2.5-coder:0.5b")
	if err != nil {
		t.Fatal(err)
	}
	// The repository names its files differently from the catalog.
	data := testData(5000)
	renamed := "Qwen2.5-Coder-0.5B-Instruct-renamed-" + f.Quant + ".gguf"
	hub.Add(m.Repo, "Qwen2.5-Coder-0.5B-Instruct-renamed-Q8_0.gguf", testData(10))
	hub.Add(m.Repo, renamed, data)
	res, err := p.Pull(context.Background(), mustRef(t, "qwen2.5-coder:0.5b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(res.Path)
	if !bytes.Equal(got, data) || res.Path != p.Store.Path(m.Repo, renamed) {
		t.Fatalf("installed %s; content equal: %v", res.Path, bytes.Equal(got, data))
	}
	var sawHead404, pages int
	for _, r := range hub.Requests() {
		switch {
		case r.Server == "hub" && r.Method == "HEAD" && r.Path == "/"+m.Repo+"/resolve/main/"+f.Name:
			sawHead404++
		case r.Server == "hub" && r.Path == "/api/models/"+m.Repo+"/tree/main":
			pages++
		}
	}
	// README.md, a folder and two files, one a page.
	if sawHead404 != 1 || pages != 4 {
		t.Errorf("asked for the catalog's file %d times and %d list pages, want 1 and 4: %+v", sawHead404, pages, hub.Requests())
	}

	// Neither the catalog's name nor the list has the quantization: the
	// 404 of the catalog's name is the answer.
	hub2, p2, _ := newTestPuller(t)
	m3, f3, _ := Lookup("qwen2.5-coder:3b")
	hub2.Add(m3.Repo, "other-q8_0.gguf", testData(10))
	_, err = p2.Pull(context.Background(), mustRef(t, "qwen2.5-coder:3b"), nil)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), f3.Name) || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want the 404 of %s", err, f3.Name)
	}
	if files := storeFiles(t, p2.Store.Dir); len(files) != 0 {
		t.Errorf("store holds %v, want nothing", files)
	}
}

// TestPullPaginatedFileList follows a file list of one entry a page.
func TestPullPaginatedFileList(t *testing.T) {
	hub, p, _ := newTestPuller(t)
	hub.Set(func(h *hubtest.Hub) { h.PageSize = 1 })
	res, err := p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+":Q8_0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != p.Store.Path(testRepo, "tiny-coder-q8_0.gguf") {
		t.Errorf("pulled %s", res.Path)
	}
	// The last page's file, and the quantizations of every page in the
	// error for a missing one.
	_, err = p.Pull(context.Background(), mustRef(t, "hf.co/"+testRepo+":Q6_K"), nil)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "q4_k, q4_k_m, q8_0") {
		t.Errorf("err = %v", err)
	}
}

// TestListFilesLoop stops a hub whose pages link to themselves.
func TestListFilesLoop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<`+r.URL.Path+`?recursive=true>; rel="next"`)
		w.Write([]byte(`[{"type":"file","path":"a-q8_0.gguf","size":1}]`))
	}))
	defer srv.Close()
	p := &Puller{Store: &Store{Dir: t.TempDir()}, Endpoint: srv.URL, StallTimeout: 2 * time.Second}
	_, err := p.listFiles(context.Background(), "acme/Loop-GGUF")
	if !errors.Is(err, ErrHub) || !strings.Contains(err.Error(), "more than 100 pages") {
		t.Errorf("err = %v", err)
	}
}

func TestNextLink(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{`<https://hub/api/models/a/b/tree/main?cursor=xyz>; rel="next"`}, "https://hub/api/models/a/b/tree/main?cursor=xyz"},
		{[]string{`<https://h/p?page=1>; rel="prev", <https://h/p?page=3>; rel="next", <https://h/p?page=9>; rel="last"`}, "https://h/p?page=3"},
		{[]string{`<https://h/p?a=1,2>; title="x"; rel=next`}, "https://h/p?a=1,2"},
		{[]string{`<https://h/first>; rel="first"`, `</p?cursor=2>; REL="prev next"`}, "/p?cursor=2"},
		{[]string{`<https://h/last>; rel="last"`}, ""},
		{[]string{`garbage; rel="next"`}, ""},
	} {
		if got := nextLink(tc.values); got != tc.want {
			t.Errorf("nextLink(%q) = %q, want %q", tc.values, got, tc.want)
		}
	}
}
