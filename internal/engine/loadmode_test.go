package engine

import "testing"

func TestParseLoadMode(t *testing.T) {
	for _, c := range []struct {
		name string
		want LoadMode
		ok   bool
	}{
		{"auto", LoadAuto, true},
		{"", LoadAuto, true},
		{"mmap", LoadMap, true},
		{"read", LoadRead, true},
		{"huge", 0, false},
		{"MMAP", 0, false},
	} {
		got, err := ParseLoadMode(c.name)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseLoadMode(%q) = %v, %v; want %v, ok %v", c.name, got, err, c.want, c.ok)
		}
	}
}
