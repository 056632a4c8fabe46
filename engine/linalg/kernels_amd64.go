package linalg

import "golang.org/x/sys/cpu"

//go:generate sh -c "cd internal/asmgen && go run . -out ../../kernels_amd64.s -go ../../kernels_amd64_gen.go"

// The gemm micro-kernels (tables gemm512 and gemm256 in kernels_amd64_gen.go,
// indexed by mr) compute, for r < mr and j < nr,
//
//	c[r*ldc+j] = init[r*ldi+j] + Σ_p a[p*mr+r]·b[p*nr+j]   (p < kc)
//
// with A packed [kc][mr] and B packed [kc][nr] (nr = 32 for AVX-512, 16 for
// AVX2). ldi = 0 starts every row from the same vector (the bias). Both
// kinds also prefetch into L2 a few cache lines from pf per step, advancing
// pf by pfStep bytes each time (pfStep = 0: nothing new; pf must then be any
// valid address).
//
// The dot kernels dot{512,256}[mr][nw] compute, for r < mr and c < nw,
//
//	out[r*nw+c] = Σ_p x[r*ldx+p]·w[c*ldw+p]   (p < kv·vw)
//
// on unpacked rows, for the small-m path; out must have room for mr·nw
// rounded up to a whole vector.

// pack512 packs 32 rows of src (row stride ld) × 16·q columns into dst as
// [16·q][32] (a transpose), for AVX-512 B panels.
//
//go:noescape
func pack512(dst, src *float32, ld, q int)

// pack256 packs 16 rows × 8·q columns into dst as [8·q][16], for AVX2.
//
//go:noescape
func pack256(dst, src *float32, ld, q int)

// gelu512 applies GELU to nv vectors of 16 floats at x (gelu256: 8 floats).
//
//go:noescape
func gelu512(x *float32, nv int)

//go:noescape
func gelu256(x *float32, nv int)

// expsum512 sets x[i] = exp(x[i]-shift) over nv vectors of 16 floats and
// returns their sum (expsum256: 8 floats). Arguments below -87 flush to
// about 1.6e-38.
//
//go:noescape
func expsum512(x *float32, nv int, shift float32) float32

//go:noescape
func expsum256(x *float32, nv int, shift float32) float32

// vmax512 returns the largest element of nv ≥ 1 vectors of 16 floats,
// vsum512 their sum, vsqdev512 Σ(x-c)²; vscale512 multiplies them by s;
// vnorm512 sets x = (x-mean)·inv·gamma + beta. The 256 versions take 8-float
// vectors.
//
//go:noescape
func vmax512(x *float32, nv int) float32

//go:noescape
func vsum512(x *float32, nv int) float32

//go:noescape
func vsqdev512(x *float32, nv int, c float32) float32

//go:noescape
func vscale512(x *float32, nv int, s float32)

//go:noescape
func vnorm512(x, gamma, beta *float32, nv int, mean, inv float32)

//go:noescape
func vmax256(x *float32, nv int) float32

//go:noescape
func vsum256(x *float32, nv int) float32

//go:noescape
func vsqdev256(x *float32, nv int, c float32) float32

//go:noescape
func vscale256(x *float32, nv int, s float32)

//go:noescape
func vnorm256(x, gamma, beta *float32, nv int, mean, inv float32)

var avx512Set = &kernelSet{
	name: "avx512", nr: 32, pfLines: gemmPrefetchLines, packCols: 16, pack: pack512,
	vw: 16, gelu: gelu512, expsum: expsum512,
	vmax: vmax512, vsum: vsum512, vsqdev: vsqdev512, vscale: vscale512, vnorm: vnorm512,
	micro: gemm512, dot: dot512, dotPfLines: dotPrefetchLines, dots: dots512, axpys: axpys512,
}

var avx2Set = &kernelSet{
	name: "avx2", nr: 16, pfLines: gemmPrefetchLines, packCols: 8, pack: pack256,
	vw: 8, gelu: gelu256, expsum: expsum256,
	vmax: vmax256, vsum: vsum256, vsqdev: vsqdev256, vscale: vscale256, vnorm: vnorm256,
	micro: gemm256, dot: dot256, dotPfLines: dotPrefetchLines, dots: dots256, axpys: axpys256,
}

// cpuKernels lists the assembly paths this CPU supports, best first.
func cpuKernels() []*kernelSet {
	var ks []*kernelSet
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Set)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Set)
	}
	return ks
}
