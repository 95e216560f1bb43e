package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// theme holds the styles of one background. Colours are chosen for a dark
// or a light background; with NO_COLOR (or a terminal without colours) the
// renderer drops them, so nothing may rely on colour alone: markers (›, +,
// -, ✓, ✗) carry the meaning.
type theme struct {
	dark bool

	user, dim, faint, accent, bold lipgloss.Style
	ok, warn, bad                  lipgloss.Style
	rule, key, selected            lipgloss.Style
	dialog                         lipgloss.Style

	// Diff lines: the marker column and a tinted background.
	addBG, delBG color.Color
	add, del     lipgloss.Style
	hunk, file   lipgloss.Style

	barFull, barEmpty color.Color

	// markdown and chroma are the Glamour and Chroma style names.
	markdown, chroma string
}

func newTheme(dark bool) *theme {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	t := &theme{dark: dark}
	t.user = lipgloss.NewStyle().Foreground(c("#1f4fbf", "#8ab4ff")).Bold(true)
	t.dim = lipgloss.NewStyle().Foreground(c("#6b6b6b", "#8a8a8a"))
	t.faint = lipgloss.NewStyle().Foreground(c("#8a8a8a", "#6a6a6a")).Italic(true)
	t.accent = lipgloss.NewStyle().Foreground(c("#8a3ffc", "#c39bff"))
	t.bold = lipgloss.NewStyle().Bold(true)
	t.ok = lipgloss.NewStyle().Foreground(c("#1a7f37", "#56d364"))
	t.warn = lipgloss.NewStyle().Foreground(c("#9a6700", "#e3b341"))
	t.bad = lipgloss.NewStyle().Foreground(c("#cf222e", "#ff7b72"))
	t.rule = lipgloss.NewStyle().Foreground(c("#c8c8c8", "#3a3a3a"))
	t.key = lipgloss.NewStyle().Foreground(c("#8a3ffc", "#c39bff")).Bold(true)
	t.selected = lipgloss.NewStyle().Reverse(true)
	t.dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c("#9a6700", "#e3b341")).Padding(0, 1)
	t.addBG = c("#dafbe1", "#12361f")
	t.delBG = c("#ffebe9", "#3d1518")
	t.add = lipgloss.NewStyle().Foreground(c("#1a7f37", "#56d364")).Background(t.addBG)
	t.del = lipgloss.NewStyle().Foreground(c("#cf222e", "#ff7b72")).Background(t.delBG)
	t.hunk = lipgloss.NewStyle().Foreground(c("#0969da", "#79c0ff"))
	t.file = lipgloss.NewStyle().Bold(true)
	t.barFull = c("#8a3ffc", "#c39bff")
	t.barEmpty = c("#d0d0d0", "#3a3a3a")
	t.markdown, t.chroma = "light", "github"
	if dark {
		t.markdown, t.chroma = "dark", "github-dark"
	}
	return t
}
