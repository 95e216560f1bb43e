//go:build unix && !linux

package gguf

import "os"

// warm does nothing where the page cache's residency is not checked.
func warm(f *os.File, data []byte) {}
