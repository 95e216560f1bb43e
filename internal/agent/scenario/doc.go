// Package scenario holds the agent's end-to-end tests: recorded
// transcripts (testdata/*.txtar) replayed by a scripted model against the
// real tools in a temporary repository, through the in-process client and
// through the OpenAI-compatible backend (streaming and not) against an
// httptest server. It has no code of its own.
package scenario
