package local

import "sync"

// progress holds what the client reports to a user interface as it works:
// the prompt being read, and the speed of the last answer.
type progress struct {
	mu        sync.Mutex
	onPrompt  func(done, total int)
	lastSpeed float64
}

// SetPromptProgress makes the client call fn as the engine reads each
// prompt: tokens evaluated so far (cached ones included) out of the total.
func (c *Client) SetPromptProgress(fn func(done, total int)) {
	c.progress.mu.Lock()
	defer c.progress.mu.Unlock()
	c.progress.onPrompt = fn
}

// LastSpeed returns the generation speed of the last answer in tokens per
// second, measured by the engine; 0 before the first.
func (c *Client) LastSpeed() float64 {
	c.progress.mu.Lock()
	defer c.progress.mu.Unlock()
	return c.progress.lastSpeed
}

func (p *progress) promptFunc() func(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.onPrompt
}

func (p *progress) setSpeed(tokens int, seconds float64) {
	if seconds <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastSpeed = float64(tokens) / seconds
}
