package classifier

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernels: the vector kernels give the same bits as adding the rows one after
// another in plain Go, at every length (the vector part and the rest), so that
// training does not depend on the machine.
func TestKernels(t *testing.T) {
	if !useAVX {
		t.Log("no AVX here: the plain kernels run, compared with themselves")
	}
	r := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64()) * float32(math.Pow(10, float64(r.IntN(7)-3)))
		}
		return v
	}
	for n := range 71 {
		z0 := vec(n)
		rows := [4][]float32{vec(n + 3), vec(n), vec(n + 1), vec(n)}
		x := [4]float32{float32(r.NormFloat64()), 0.3, -1e-3, 7}
		want := append([]float32(nil), z0...)
		for k := range rows {
			for l := range want {
				want[l] += float32(rows[k][l] * x[k])
			}
		}
		got4 := append([]float32(nil), z0...)
		addRows4(got4, rows[0], rows[1], rows[2], rows[3], x[0], x[1], x[2], x[3])
		got1 := append([]float32(nil), z0...)
		for k := range rows {
			addRow(got1, rows[k], x[k])
		}
		for l := range want {
			if math.Float32bits(got4[l]) != math.Float32bits(want[l]) || math.Float32bits(got1[l]) != math.Float32bits(want[l]) {
				t.Fatalf("n=%d, l=%d: addRows4 %v, addRow %v, want %v", n, l, got4[l], got1[l], want[l])
			}
		}
	}
}

// TestQuantise: the 8-bit weights are the float weights over the row's scale,
// rounded half away from zero (math.Round), the largest at ±127.
func TestQuantise(t *testing.T) {
	w := []float32{0.5, -0.5, 127, -63.5, 1.5, -2.5, 0.49999997, 0, 100, -127}
	s := &Softmax{labels: make([]string, 5)}
	s.quantise(w, 5, 0)
	for f := range 2 {
		row := w[f*5 : f*5+5]
		var top float32
		for _, x := range row {
			top = max(top, x, -x)
		}
		for l, x := range row {
			want := int8(math.Round(float64(x * (127 / top))))
			if got := s.q[f*5+l]; got != want {
				t.Errorf("q[%d][%d] = %d, want %d (w %v)", f, l, got, want, x)
			}
		}
		if s.scale[f] != top/127 {
			t.Errorf("scale[%d] = %v, want %v", f, s.scale[f], top/127)
		}
	}
}
