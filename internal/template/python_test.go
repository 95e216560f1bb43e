package template

import (
	"math"
	"testing"
	"time"

	"github.com/ardanlabs/jinja"
)

func TestPyFloat(t *testing.T) {
	// Expected values are Python 3's repr(float).
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-2, "-2.0"},
		{0.5, "0.5"},
		{90.5, "90.5"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{1e-4, "0.0001"},
		{1.5e-4, "0.00015"},
		{1e-5, "1e-05"},
		{1.25e-7, "1.25e-07"},
		{123456789012345.0, "123456789012345.0"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{1.5e300, "1.5e+300"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.NaN(), "nan"},
	} {
		if got := pyFloat(c.f); got != c.want {
			t.Errorf("pyFloat(%v) = %q; want %q", c.f, got, c.want)
		}
	}
}

func TestToJSON(t *testing.T) {
	obj, err := jsonValue([]byte(`{"b": [1, 2.0, {"c": null}], "a": "é<&>\u2028\"\\\n\u0001\u007f😀", "e": {}, "f": []}`))
	if err != nil {
		t.Fatal(err)
	}
	// Expected values are Python 3's json.dumps with the given arguments.
	for _, c := range []struct {
		name   string
		kwargs map[string]jinja.Value
		want   string
	}{
		{"default", nil, `{"b": [1, 2.0, {"c": null}], "a": "é<&>` + "\u2028" + `\"\\\n\u0001` + "\x7f" + `😀", "e": {}, "f": []}`},
		{"ascii", map[string]jinja.Value{"ensure_ascii": jinja.NewBool(true)}, `{"b": [1, 2.0, {"c": null}], "a": "\u00e9<&>\u2028\"\\\n\u0001\u007f\ud83d\ude00", "e": {}, "f": []}`},
		{"indent", map[string]jinja.Value{"indent": jinja.NewInt(2)}, "{\n  \"b\": [\n    1,\n    2.0,\n    {\n      \"c\": null\n    }\n  ],\n  \"a\": \"é<&>\u2028\\\"\\\\\\n\\u0001\x7f😀\",\n  \"e\": {},\n  \"f\": []\n}"},
		{"separators+sort", map[string]jinja.Value{
			"separators": jinja.NewList([]jinja.Value{jinja.NewString(","), jinja.NewString(":")}),
			"sort_keys":  jinja.NewBool(true),
		}, `{"a":"é<&>` + "\u2028" + `\"\\\n\u0001` + "\x7f" + `😀","b":[1,2.0,{"c":null}],"e":{},"f":[]}`},
	} {
		got, err := toJSON([]jinja.Value{obj}, c.kwargs)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.AsString() != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, got.AsString(), c.want)
		}
	}
	if _, err := toJSON([]jinja.Value{obj}, map[string]jinja.Value{"separators": jinja.NewString(",")}); err == nil {
		t.Error("tojson accepted a string as separators")
	}
}

func TestPyRepr(t *testing.T) {
	v, err := jsonValue([]byte(`{"s": "it's", "q": "say \"hi\"", "both": "'\"", "ctl": "a\tb\u0000\u00a0é", "n": [null, true, 1, 1.0, []]}`))
	if err != nil {
		t.Fatal(err)
	}
	// Python: repr of the same dict.
	want := `{'s': "it's", 'q': 'say "hi"', 'both': '\'"', 'ctl': 'a\tb\x00\xa0é', 'n': [None, True, 1, 1.0, []]}`
	if got := pyRepr(v); got != want {
		t.Errorf("pyRepr:\ngot  %s\nwant %s", got, want)
	}
	if got := pyStr(jinja.NewString("it's")); got != "it's" {
		t.Errorf("pyStr(string) = %q", got)
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2025, 3, 7, 14, 5, 9, 0, time.UTC)
	for format, want := range map[string]string{
		"%d %b %Y":          "07 Mar 2025",
		"%Y-%m-%d":          "2025-03-07",
		"%A, %B %d, %Y":     "Friday, March 07, 2025",
		"%H:%M:%S %p %I %y": "14:05:09 PM 02 25",
		"%j %% %q %":        "066 % %q %",
	} {
		if got := strftime(format, tm); got != want {
			t.Errorf("strftime(%q) = %q; want %q", format, got, want)
		}
	}
}
