//go:build !amd64

package classifier

const useAVX = false

func addRowAVX(z, row *float32, n int, x float32) { panic("classifier: no vector kernels") }

func addRows4AVX(z, r0, r1, r2, r3 *float32, n int, x0, x1, x2, x3 float32) {
	panic("classifier: no vector kernels")
}
