package classifier

// addRow adds x times row to z: z[l] += row[l]*x for every l < len(z); row is at
// least as long as z.
func addRow(z, row []float32, x float32) {
	n := 0
	if useAVX {
		n = len(z) &^ 7
		if n > 0 {
			addRowAVX(&z[0], &row[0], n, x)
		}
	}
	addRowGo(z[n:], row[n:len(z)], x)
}

// addRows4 adds four weighed rows to z, one after another: z[l] += r0[l]*x0, then
// z[l] += r1[l]*x1 and so on, for every l < len(z); the rows are at least as long
// as z. The vector code adds in the same order and rounds each product, so that
// both give the same bits as four calls of addRow: training is reproducible on
// any machine.
func addRows4(z, r0, r1, r2, r3 []float32, x0, x1, x2, x3 float32) {
	n := 0
	if useAVX {
		n = len(z) &^ 7
		if n > 0 {
			addRows4AVX(&z[0], &r0[0], &r1[0], &r2[0], &r3[0], n, x0, x1, x2, x3)
		}
	}
	addRows4Go(z[n:], r0[n:len(z)], r1[n:len(z)], r2[n:len(z)], r3[n:len(z)], x0, x1, x2, x3)
}

// The explicit conversions round every product: the compiler may not fuse a
// multiplication and an addition, which the vector code does not either.

func addRowGo(z, row []float32, x float32) {
	row = row[:len(z)]
	for l := range z {
		z[l] += float32(row[l] * x)
	}
}

func addRows4Go(z, r0, r1, r2, r3 []float32, x0, x1, x2, x3 float32) {
	r0, r1, r2, r3 = r0[:len(z)], r1[:len(z)], r2[:len(z)], r3[:len(z)]
	for l := range z {
		v := z[l] + float32(r0[l]*x0)
		v += float32(r1[l] * x1)
		v += float32(r2[l] * x2)
		z[l] = v + float32(r3[l]*x3)
	}
}
