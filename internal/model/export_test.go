package model

// Interleaved reports whether m's rows are interleaved by eight.
func (m *Matrix) Interleaved() bool { return m.interleaved }
