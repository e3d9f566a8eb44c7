package classifier

import "math/bits"

// table numbers features by their hashes while examples are counted: open
// addressing with linear probing over one array, so that a look-up is mostly one
// cache line. With hundreds of thousands of features and a few million look-ups
// it spends less time waiting for memory than a map, which start-up feels. The
// models keep maps of the features they look up.
type table struct {
	slots []slot
	shift uint // 64 - log2(len(slots))
	n     int  // features in the table
}

type slot struct {
	h  uint64
	id int32 // the feature's number plus one; 0 marks an empty slot
}

// newTable returns a table for about hint features.
func newTable(hint int) *table {
	t := &table{}
	t.alloc(max(hint, 64))
	return t
}

// alloc makes room for n features at a load of at most a half.
func (t *table) alloc(n int) {
	b := bits.Len(uint(2*n - 1))
	t.slots = make([]slot, 1<<b)
	t.shift = uint(64 - b)
}

// number returns h's number, giving it next when h is new (and reporting so).
func (t *table) number(h uint64, next int32) (int32, bool) {
	mask := len(t.slots) - 1
	// The hashes are FNV-1a, whose low bits are mixed least: the slot comes
	// from the high bits of a Fibonacci multiple.
	i := int((h * 0x9e3779b97f4a7c15) >> t.shift)
	for {
		s := &t.slots[i]
		if s.id == 0 {
			if 2*(t.n+1) > len(t.slots) {
				t.grow()
				return t.number(h, next)
			}
			s.h, s.id = h, next+1
			t.n++
			return next, true
		}
		if s.h == h {
			return s.id - 1, false
		}
		i = (i + 1) & mask
	}
}

func (t *table) grow() {
	old := t.slots
	t.alloc(2 * len(old))
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := int((s.h * 0x9e3779b97f4a7c15) >> t.shift)
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// each calls f for every feature, in no particular order.
func (t *table) each(f func(h uint64, id int32)) {
	for _, s := range t.slots {
		if s.id != 0 {
			f(s.h, s.id-1)
		}
	}
}

// find returns h's number, if h has one.
func (t *table) find(h uint64) (int32, bool) {
	mask := len(t.slots) - 1
	i := int((h * 0x9e3779b97f4a7c15) >> t.shift)
	for {
		s := &t.slots[i]
		if s.id == 0 {
			return 0, false
		}
		if s.h == h {
			return s.id - 1, true
		}
		i = (i + 1) & mask
	}
}
