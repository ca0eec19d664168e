package classify

import (
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// int64Chunks builds chunks of the numbers 0..n-1; every nullEvery-th is
// null when nullEvery > 0.
func int64Chunks(t *testing.T, mem memory.Allocator, n, chunk, nullEvery int) []arrow.Array {
	t.Helper()
	var out []arrow.Array
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := 0; i < n; i++ {
		if nullEvery > 0 && i%nullEvery == 0 {
			b.AppendNull()
		} else {
			b.Append(int64(i))
		}
		if b.Len() == chunk || i == n-1 {
			out = append(out, b.NewArray())
		}
	}
	return out
}

func TestReservoirUniformAndReproducible(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, nullEvery := range []int{0, 3} {
		chunks := int64Chunks(t, mem, 200_000, 7_777, nullEvery)
		sample := func(seed uint64) *reservoir {
			r := newReservoir(2000, seed, 5)
			for _, c := range chunks {
				r.add(c)
			}
			return r
		}
		r := sample(1)
		wantNonNull := int64(200_000)
		if nullEvery > 0 {
			wantNonNull -= int64((200_000 + nullEvery - 1) / nullEvery)
		}
		if r.len() != 2000 || r.nonNull != wantNonNull {
			t.Fatalf("nulls every %d: %d values, %d non-null", nullEvery, r.len(), r.nonNull)
		}
		// Uniform: ten equal ranges each get about a tenth (chi-square, 9 dof, p≈0.001 at 27.9).
		var bins [10]float64
		seen := map[string]bool{}
		for _, v := range r.vals {
			var x int
			fmt.Sscan(v, &x)
			bins[x*10/200_000]++
			if seen[v] {
				t.Fatalf("value %s sampled twice", v)
			}
			seen[v] = true
			if nullEvery > 0 && x%nullEvery == 0 {
				t.Fatalf("null position %d sampled", x)
			}
		}
		chi := 0.0
		for _, o := range bins {
			chi += (o - 200) * (o - 200) / 200
		}
		if chi > 27.9 {
			t.Errorf("nulls every %d: sample not uniform, chi² = %.1f, bins %v", nullEvery, chi, bins)
		}
		if fmt.Sprint(sample(1).vals) != fmt.Sprint(r.vals) {
			t.Error("same seed, different sample")
		}
		if fmt.Sprint(sample(2).vals) == fmt.Sprint(r.vals) {
			t.Error("different seeds, same sample")
		}
		for _, c := range chunks {
			c.Release()
		}
	}
}

func TestReservoirSmallAndAllNull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	chunks := int64Chunks(t, mem, 50, 20, 0)
	r := newReservoir(100, 1, 1)
	for _, c := range chunks {
		r.add(c)
		c.Release()
	}
	if r.len() != 50 || r.vals[0] != "0" || r.vals[49] != "49" {
		t.Errorf("small input: %v", r.vals)
	}
	b := array.NewStringBuilder(mem)
	b.AppendNulls(10)
	a := b.NewArray()
	b.Release()
	r = newReservoir(5, 1, 1)
	r.add(a)
	a.Release()
	if r.len() != 0 || r.nonNull != 0 {
		t.Errorf("all-null: %v, %d", r.vals, r.nonNull)
	}
}

func TestWilsonLower(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{{16, 20, 0.69, 0.70}, {20, 20, 0.95, 0.96}, {9000, 10000, 0.896, 0.898}, {0, 0, 0, 0}} {
		if got := wilsonLower(c.k, c.n, 1); got < c.lo || got > c.hi || math.IsNaN(got) {
			t.Errorf("wilsonLower(%d, %d) = %.4f, want in [%.3f, %.3f]", c.k, c.n, got, c.lo, c.hi)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 9412: "9,412", 1234567: "1,234,567"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %s", n, got)
		}
	}
}
