package tensor

// The quantized types beyond the first path; filled in type by type.

func canDequantize(t Type) bool {
	switch t {
	case F32, F16, BF16, Q8_0:
		return true
	}
	return false
}

func canQuantize(t Type) bool { return canDequantize(t) }

func dequantizeMore(t Type, dst []float32, src []byte) { panic("unreachable") }

func quantizeMore(t Type, dst []byte, src []float32) { panic("unreachable") }

func dotMore(t Type, n int, w, x []byte) float32 { panic("tensor: no dot product for type " + t.String()) }
