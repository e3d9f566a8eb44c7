package backlog

import "slices"

// averageLink clusters n points by average-link agglomeration: the two clusters
// with the highest mean pairwise similarity merge until no pair reaches threshold.
// It returns the clusters, each ascending, ordered by their first point. Memory is
// n² float32; time about n² per merge in the worst case, far less in practice as
// each row keeps its best partner.
func averageLink(n int, sim func(i, j int) float64, threshold float64) [][]int {
	if n == 0 {
		return nil
	}
	s := make([]float32, n*n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := float32(sim(i, j))
			s[i*n+j], s[j*n+i] = v, v
		}
	}
	size := make([]int, n)
	members := make([][]int, n)
	alive := make([]bool, n)
	best := make([]int, n) // the row's most similar live cluster, -1 when none
	for i := range n {
		size[i], members[i], alive[i] = 1, []int{i}, true
	}
	rowBest := func(i int) {
		best[i] = -1
		for j := range n {
			if j != i && alive[j] && (best[i] < 0 || s[i*n+j] > s[i*n+best[i]]) {
				best[i] = j
			}
		}
	}
	for i := range n {
		rowBest(i)
	}
	th := float32(threshold)
	for {
		a := -1
		for i := range n {
			if alive[i] && best[i] >= 0 && (a < 0 || s[i*n+best[i]] > s[a*n+best[a]]) {
				a = i
			}
		}
		if a < 0 || s[a*n+best[a]] < th {
			break
		}
		b := best[a]
		if b < a {
			a, b = b, a
		}
		// Lance–Williams: the merged cluster's similarity to k is the size-weighted
		// mean of the two.
		sa, sb := float32(size[a]), float32(size[b])
		for k := range n {
			if k == a || k == b || !alive[k] {
				continue
			}
			v := (sa*s[a*n+k] + sb*s[b*n+k]) / (sa + sb)
			s[a*n+k], s[k*n+a] = v, v
		}
		alive[b] = false
		size[a] += size[b]
		members[a] = append(members[a], members[b]...)
		members[b] = nil
		for k := range n {
			if !alive[k] {
				continue
			}
			if k == a || best[k] == a || best[k] == b {
				rowBest(k)
			} else if s[k*n+a] > s[k*n+best[k]] {
				best[k] = a
			}
		}
	}
	var out [][]int
	for i := range n {
		if alive[i] {
			m := members[i]
			slices.Sort(m)
			out = append(out, m)
		}
	}
	return out
}
