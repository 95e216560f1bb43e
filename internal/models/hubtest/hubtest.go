// Package hubtest is a fake Hugging Face hub for tests: it serves a
// repository's file list, answers resolve addresses with a redirect to a
// separate "CDN" server carrying X-Linked-Etag and X-Linked-Size, and serves
// byte ranges there; file lists may come in pages. Faults (a cut transfer, a wrong checksum, a stall, a
// server that ignores ranges, a required token) are switched on per test.
package hubtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Hub is a running fake hub. Its fault switches may be changed between
// requests; all methods are safe for concurrent use.
type Hub struct {
	URL string // the hub's address, for HF_ENDPOINT

	hub, cdn *httptest.Server

	mu    sync.Mutex
	repos map[string]map[string][]byte // repo -> file path -> content
	log   []Request

	// Token, when set, is required as "Bearer TOKEN" by the hub (not the CDN).
	Token string
	// CutAfter > 0 makes the next CDN download close the connection after
	// that many body bytes (once).
	CutAfter int64
	// WrongSHA publishes a checksum that does not match the content.
	WrongSHA bool
	// Stall makes CDN downloads send headers (and StallAfter bytes) and then
	// nothing until the client gives up.
	Stall      bool
	StallAfter int64
	// IgnoreRange makes the CDN answer every download with the whole file.
	IgnoreRange bool
	// AdvertiseSize, when set, is the X-Linked-Size published instead of the
	// real one (a file too large for the disk).
	AdvertiseSize int64
	// PageSize > 0 cuts file lists into pages of that many entries, each
	// linking to the next with a Link header and an opaque cursor, as the
	// real hub does for long lists.
	PageSize int
}

// Request is one request the fake hub or CDN saw.
type Request struct {
	Server string // "hub" or "cdn"
	Method string
	Path   string
	Range  string
	Auth   string // the Authorization header
}

// New starts a fake hub; Close stops it.
func New() *Hub {
	h := &Hub{repos: map[string]map[string][]byte{}}
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	h.URL = h.hub.URL
	return h
}

// Close stops the servers.
func (h *Hub) Close() {
	h.hub.CloseClientConnections()
	h.cdn.CloseClientConnections()
	h.hub.Close()
	h.cdn.Close()
}

// Add publishes a file in a repository ("ORG/REPO").
func (h *Hub) Add(repo, file string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.repos[repo] == nil {
		h.repos[repo] = map[string][]byte{}
	}
	h.repos[repo][file] = data
}

// Requests returns the requests seen so far.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.log...)
}

// Set changes fault switches under the hub's lock.
func (h *Hub) Set(f func(h *Hub)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// SHA256 returns the hex SHA-256 of data, as the hub publishes it.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func (h *Hub) record(server string, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, Request{server, r.Method, r.URL.Path, r.Header.Get("Range"), r.Header.Get("Authorization")})
}

func (h *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
	h.record("hub", r)
	h.mu.Lock()
	token := h.Token
	h.mu.Unlock()
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Invalid username or password.", http.StatusUnauthorized)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(p, "api/models/"); ok {
		repo, ok := strings.CutSuffix(rest, "/tree/main")
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		h.serveTree(w, r, repo)
		return
	}
	parts := strings.SplitN(p, "/", 5)
	if len(parts) != 5 || parts[2] != "resolve" || parts[3] != "main" {
		http.NotFound(w, r)
		return
	}
	repo, file := parts[0]+"/"+parts[1], parts[4]
	h.mu.Lock()
	files, okRepo := h.repos[repo]
	data, okFile := files[file]
	wrong, size := h.WrongSHA, int64(len(data))
	if h.AdvertiseSize > 0 {
		size = h.AdvertiseSize
	}
	h.mu.Unlock()
	switch {
	case !okRepo:
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusNotFound)
		return
	case !okFile:
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	sum := SHA256(data)
	if wrong {
		sum = SHA256(append([]byte("not "), data...))
	}
	w.Header().Set("X-Linked-Etag", strconv.Quote(sum))
	w.Header().Set("X-Linked-Size", strconv.FormatInt(size, 10))
	w.Header().Set("Location", h.cdn.URL+"/cdn/"+repo+"/"+file)
	w.WriteHeader(http.StatusFound)
}

func (h *Hub) serveTree(w http.ResponseWriter, r *http.Request, repo string) {
	h.mu.Lock()
	files, ok := h.repos[repo]
	pageSize := h.PageSize
	type entry struct {
		Type string `json:"type"`
		Path string `json:"path"`
		Size int    `json:"size"`
	}
	var list []entry
	for name, data := range files {
		list = append(list, entry{"file", name, len(data)})
	}
	h.mu.Unlock()
	if !ok {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusNotFound)
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	list = append([]entry{{"file", "README.md", 10}, {"directory", "extras", 0}}, list...)
	if pageSize > 0 {
		start := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			b, err := base64.RawURLEncoding.DecodeString(c)
			n, err2 := strconv.Atoi(string(b))
			if err != nil || err2 != nil || n < 0 || n > len(list) {
				http.Error(w, "bad cursor", http.StatusBadRequest)
				return
			}
			start = n
		}
		end := min(start+pageSize, len(list))
		if end < len(list) {
			q := r.URL.Query()
			q.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
			next := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
			w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.String()))
		}
		list = list[start:end]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(list)
}

func (h *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	h.record("cdn", r)
	p, ok := strings.CutPrefix(r.URL.Path, "/cdn/")
	parts := strings.SplitN(p, "/", 3)
	if !ok || len(parts) != 3 {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	data, found := h.repos[parts[0]+"/"+parts[1]][parts[2]]
	cut := h.CutAfter
	h.CutAfter = 0
	stall, stallAfter, ignoreRange := h.Stall, h.StallAfter, h.IgnoreRange
	h.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" && !ignoreRange {
		s, ok := strings.CutPrefix(rg, "bytes=")
		n, err := strconv.Atoi(strings.TrimSuffix(s, "-"))
		if !ok || err != nil || !strings.HasSuffix(s, "-") {
			http.Error(w, "bad range", http.StatusBadRequest)
			return
		}
		if n >= len(data) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
	}
	body := data[start:]
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Accept-Ranges", "bytes")
	if start > 0 {
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if r.Method == http.MethodHead {
		return
	}
	switch {
	case stall:
		n := min(int(stallAfter), len(body))
		w.Write(body[:n])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	case cut > 0 && int(cut) < len(body):
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		// Returning with less than Content-Length written breaks the
		// connection, as a dropped network would.
		panic(http.ErrAbortHandler)
	}
	w.Write(body)
}
