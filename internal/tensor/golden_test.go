package tensor

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// testdata/ggml/golden.txt holds llama.cpp's own results (its prebuilt
// ggml libraries, driven by testdata/ggml/gen.c) on fixed inputs that
// goldenInput reproduces: the reference quantizers' bytes, a hash of the
// dequantized floats, the CPU backend's activation quantizers' bytes (x86
// AVX2 library) and the dot products: "dot" from the plain-C (generic)
// kernels, which atelier must match bit for bit, and "dot_avx2" from the
// AVX2 kernels llama.cpp runs on this kind of machine, which differ from
// the generic ones only in float32 summation order. (F32 is the exception:
// its Dot follows llama.cpp's AVX2 order, see kernels.DotF32F32.)

const goldenN = 512

var goldenDists = map[string]int{"gauss": 0, "uniform": 1, "outliers": 2, "special": 3, "tiny": 4, "huge": 5, "halfzero": 6, "ties": 7}

// goldenInput reproduces fill() of gen.c.
func goldenInput(dist int, seed uint64) []float32 {
	state := seed
	next := func() uint64 {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return z ^ z>>31
	}
	gauss := func() float32 {
		var s int64
		for range 4 {
			s += int64(next() >> 40)
		}
		return float32(s-2<<24) * (1.0 / 16777216)
	}
	x := make([]float32, goldenN)
	for i := range x {
		var v float32
		if dist == 7 {
			v = 127
			if i%32 != 0 {
				v = float32(int(next()>>58)-32) + 0.5
			}
		} else if dist == 1 {
			v = float32(int32(next()>>40)-1<<23) * (1.0 / 8388608)
		} else {
			v = gauss()
		}
		switch dist {
		case 2:
			if i%37 == 0 {
				v *= 16
			}
		case 3:
			switch {
			case i < 32:
				v = 0
			case i >= 64 && i < 96:
				v = 0.25
			case i >= 96 && i < 128:
				v = -3
			}
		case 4:
			v *= 1.0 / 1048576
		case 5:
			v *= 256
		case 6:
			if i >= 256 {
				v = 0
			}
		}
		x[i] = v
	}
	return x
}

type fnv64 uint64

func newFNV() fnv64 { return 0xcbf29ce484222325 }

func (h *fnv64) floats(x []float32) {
	var b [4]byte
	for _, v := range x {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		for _, c := range b {
			*h = (*h ^ fnv64(c)) * 0x100000001b3
		}
	}
}

type goldenCase struct {
	typ, dist string
	inputHash uint64
	fields    map[string]string
}

func readGolden(t *testing.T) []goldenCase {
	t.Helper()
	f, err := os.Open("testdata/ggml/golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		if k == "case" || k == "ref" {
			p := strings.Fields(v)
			h, err := strconv.ParseUint(p[2], 16, 64)
			if err != nil || len(p) != 3 {
				t.Fatalf("bad golden line %q", line)
			}
			cases = append(cases, goldenCase{typ: p[0], dist: p[1], inputHash: h, fields: map[string]string{"kind": k}})
			continue
		}
		if len(cases) == 0 {
			t.Fatalf("golden field before any case: %q", line)
		}
		cases[len(cases)-1].fields[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 70 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	return cases
}

func (c goldenCase) bytes(t *testing.T, key string) []byte {
	t.Helper()
	b, err := hex.DecodeString(c.fields[key])
	if err != nil || len(b) == 0 {
		t.Fatalf("%s %s: bad %s", c.typ, c.dist, key)
	}
	return b
}

func (c goldenCase) u64(t *testing.T, key string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(c.fields[key], 16, 64)
	if err != nil {
		t.Fatalf("%s %s: bad %s", c.typ, c.dist, key)
	}
	return v
}

func firstDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d: %#02x, llama.cpp %#02x", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

func TestMatchesLlamaCpp(t *testing.T) {
	var worstAVX2 float64
	for _, c := range readGolden(t) {
		typ, ok := ParseType(c.typ)
		if !ok {
			t.Fatalf("unknown type %q", c.typ)
		}
		dist, ok := goldenDists[c.dist]
		if !ok {
			t.Fatalf("unknown distribution %q", c.dist)
		}
		t.Run(c.fields["kind"]+"/"+c.typ+"/"+c.dist, func(t *testing.T) {
			w := goldenInput(dist, 1000*uint64(typ)+uint64(dist))
			h := newFNV()
			h.floats(w)
			if c.fields["kind"] == "ref" {
				if uint64(h) != c.inputHash {
					t.Fatal("inputs differ from gen.c's")
				}
				q := make([]byte, rowBytes(typ, goldenN))
				switch typ {
				case Q8_1:
					kernels.QuantizeQ8_1(q, w)
				default:
					if err := Quantize(typ, q, w); err != nil {
						t.Fatal(err)
					}
				}
				if want := c.bytes(t, "quant"); string(q) != string(want) {
					t.Errorf("reference quantizer: %s", firstDiff(q, want))
				}
				return
			}
			xdist := 0
			if c.dist == "ties" {
				xdist = dist
			}
			x := goldenInput(xdist, 1000*uint64(typ)+500+uint64(dist))
			h.floats(x)
			if uint64(h) != c.inputHash {
				t.Fatal("inputs differ from gen.c's")
			}
			q := make([]byte, rowBytes(typ, goldenN))
			if err := Quantize(typ, q, w); err != nil {
				t.Fatal(err)
			}
			wantQ := c.bytes(t, "quant")
			if string(q) != string(wantQ) {
				t.Errorf("Quantize: %s", firstDiff(q, wantQ))
			}
			deq := make([]float32, goldenN)
			if err := Dequantize(typ, deq, wantQ); err != nil {
				t.Fatal(err)
			}
			dh := newFNV()
			dh.floats(deq)
			if uint64(dh) != c.u64(t, "dequant") {
				t.Errorf("Dequantize of llama.cpp's bytes differs from llama.cpp's")
			}
			dt := DotType(typ)
			xq := make([]byte, rowBytes(dt, goldenN))
			if err := QuantizeActivations(dt, xq, x); err != nil {
				t.Fatal(err)
			}
			wantX := c.bytes(t, "act")
			if string(xq) != string(wantX) {
				t.Errorf("QuantizeActivations(%v): %s", dt, firstDiff(xq, wantX))
			}
			got := Dot(typ, goldenN, wantQ, wantX)
			want := math.Float32frombits(uint32(c.u64(t, "dot")))
			if typ == F32 {
				// kernels.DotF32F32 deliberately sums in the order of
				// llama.cpp's AVX2 matmul (tinyBLAS), not of the generic
				// kernel: only the value is checked.
				if d := math.Abs(float64(got) - float64(want)); d > 1e-5*math.Abs(float64(want))+1e-12 {
					t.Errorf("Dot = %g, llama.cpp's generic kernel %g", got, want)
				}
			} else if typ == F16 {
				// kernels.DotF16F16 sums in the order of llama.cpp's AVX2
				// build (ggml_vec_dot_f16 with F16C): bit for bit that.
				if avx2 := math.Float32frombits(uint32(c.u64(t, "dot_avx2"))); math.Float32bits(got) != math.Float32bits(avx2) {
					t.Errorf("Dot = %g (%#08x), llama.cpp's AVX2 kernel %g (%#08x)", got, math.Float32bits(got), avx2, math.Float32bits(avx2))
				}
			} else if math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("Dot = %g (%#08x), llama.cpp's generic kernel %g (%#08x)", got, math.Float32bits(got), want, math.Float32bits(want))
			}
			avx2 := float64(math.Float32frombits(uint32(c.u64(t, "dot_avx2"))))
			if d := math.Abs(float64(got)-avx2) / math.Max(math.Abs(avx2), 1e-30); d > worstAVX2 && avx2 != 0 {
				worstAVX2 = d
			}
		})
	}
	t.Logf("largest relative difference from llama.cpp's AVX2 dot products: %.3g", worstAVX2)
}
