//go:build !linux && !darwin

package models

// detectSystem knows nothing beyond what Go reports on this system yet.
func detectSystem(m *Machine) {}
