package classifier

import "golang.org/x/sys/cpu"

// useAVX says whether the vector kernels (8 floats at a time) may run.
var useAVX = cpu.X86.HasAVX

// addRowAVX is addRow over n floats, n a multiple of 8.
//
//go:noescape
func addRowAVX(z, row *float32, n int, x float32)

// addRows4AVX is addRows4 over n floats, n a multiple of 8.
//
//go:noescape
func addRows4AVX(z, r0, r1, r2, r3 *float32, n int, x0, x1, x2, x3 float32)
