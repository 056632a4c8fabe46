package engine

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Random streams. Everything random in a study (the units of a random draw, the resamples of a
// bootstrap) comes from its own stream, derived from the seed the user gives (--seed) and from
// what the stream is for, so that results are reproducible across runs and machines and do not
// depend on the order in which they are computed:
//
//	stream = PCG-DXSM (math/rand/v2's PCG) with seed1 = splitmix64(seed),
//	         seed2 = splitmix64(purpose<<56 | layer<<40 | k<<32 | draw)
//
// where splitmix64 is SplitMix64's output function (x + 0x9e3779b97f4a7c15, then the two
// xor-shift-multiply rounds with 0xbf58476d1ce4e5b9 and 0x94d049bb133111eb), purpose is
// streamUnits or streamBootstrap, k is the group (0 for A, 1 for B) of a draw's word, and draw is
// the draw's number. A number below n is taken from the stream with Lemire's multiply-shift method
// (below), and k of n units are drawn by a partial Fisher–Yates shuffle (sample). Both are written
// out here rather than taken from math/rand/v2's Rand, whose algorithms may change between Go
// releases; PCG's output is specified. scripts/reference/study_v2.py re-states all of it.
const (
	streamUnits     = 1 // the units of a random draw
	streamBootstrap = 2 // the resamples of the evaluation set's bootstrap
)

// maxDraws bounds the draw numbers of a stream (32 bits of seed2).
const maxDraws = 1 << 32

// newStream returns the stream for one purpose, layer, group and draw.
func newStream(seed uint64, purpose, layer, k, draw int) *rand.PCG {
	tag := uint64(purpose)<<56 | uint64(layer)<<40 | uint64(k)<<32 | uint64(draw)
	return rand.NewPCG(splitmix64(seed), splitmix64(tag))
}

// splitmix64 is SplitMix64's output for state x.
func splitmix64(x uint64) uint64 {
	z := x + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// below returns a number uniform on 0..n−1 (n ≥ 1) from src: the high word of x·n for a 64-bit x,
// redrawing x while the low word is below 2⁶⁴ mod n (Lemire 2019), so that it is exactly uniform.
func below(src rand.Source, n int) int {
	un := uint64(n)
	hi, lo := bits.Mul64(src.Uint64(), un)
	if lo < un {
		threshold := -un % un
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), un)
		}
	}
	return int(hi)
}

// sample draws k of the numbers 0..n−1 uniformly without replacement: a partial Fisher–Yates
// shuffle (for i < k, swap position i with a position uniform on i..n−1) of 0, 1, …, n−1, whose
// first k entries are returned in ascending order.
func sample(src rand.Source, n, k int) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := range k {
		j := i + below(src, n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	out := perm[:k:k]
	slices.Sort(out)
	return out
}
