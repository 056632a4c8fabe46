// Command asmgen writes kernels_amd64.s, the Go assembly kernels of package
// linalg, and kernels_amd64_gen.go, their Go declarations plus the tables
// (gemm512, dot512, dots512, ...) that index them by size. It is its own
// module so the main module never depends on it; regenerate with
// `go generate ./engine/linalg/`.
//
// Kernels (512: AVX-512 on zmm; 256: AVX2+FMA on ymm):
//
//	gemm512x{1..14}, gemm256x{1..6}: micro-kernels C[mr, nr] = init + A·B
//	    over kc steps, A packed [kc][mr], B packed [kc][nr], nr = 32 / 16.
//	pack512, pack256: transpose W rows into packed B panels.
//	dot{512,256}x{mr}x{nw}: small-m dot products of mr ≤ 4 x rows with
//	    nw ≤ dotRows(mr) W rows, unpacked.
//	gelu{512,256}: exact GELU; expsum{512,256}: x ← exp(x - shift), Σx.
//	vmax, vsum, vsqdev (Σ(x-c)²), vscale, vnorm (LayerNorm's affine step).
//	dots{512,256}x{dv}, axpys{512,256}x{dv}: attention rows of dv vectors.
//
// All element-wise kernels work on whole vectors; package linalg handles
// the tails.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math"
	"os"
	"strings"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

func label(s string) { fmt.Fprintf(&out, "%s:\n", s) }

// gemm emits one micro-kernel: mr rows, nv vectors of width bytes per row,
// register prefix reg ("Z" or "Y"), broadcasting A elements.
// gemmPrefetchLines is how many cache lines of the caller's next W block a
// micro-kernel prefetches into L2 per 4 k steps, at pf, advancing pf by
// pfStep bytes (0 to prefetch nothing new), so that W streams from memory
// while the current block is multiplied.
const gemmPrefetchLines = 4

func gemm(name string, mr, nv, width int, reg string) {
	nr := nv * width / 4 // floats per packed B row
	fmt.Fprintf(&out, "\n// func %s(kc int, a, b, c *float32, ldc int, init *float32, ldi int, pf *float32, pfStep int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-72\n", name)
	p("MOVQ kc+0(FP), CX")
	p("MOVQ a+8(FP), SI")
	p("MOVQ b+16(FP), DX")
	p("MOVQ c+24(FP), DI")
	p("MOVQ ldc+32(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ init+40(FP), R9")
	p("MOVQ ldi+48(FP), R10")
	p("SHLQ $2, R10")
	p("MOVQ pf+56(FP), R11")
	p("MOVQ pfStep+64(FP), R12")
	acc := func(i, v int) string { return fmt.Sprintf("%s%d", reg, 4+i*nv+v) }
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			p("VMOVUPS %d(R9), %s", v*width, acc(i, v))
		}
		if i < mr-1 {
			p("ADDQ R10, R9")
		}
	}
	// Main loop unrolled by 4 k steps, then a 1-step tail.
	step := func(kOff int) {
		for v := 0; v < nv; v++ {
			p("VMOVUPS %d(DX), %s%d", kOff*nr*4+v*width, reg, v)
		}
		for i := 0; i < mr; i++ {
			b := fmt.Sprintf("%s%d", reg, 2+i%2)
			p("VBROADCASTSS %d(SI), %s", (kOff*mr+i)*4, b)
			for v := 0; v < nv; v++ {
				p("VFMADD231PS %s%d, %s, %s", reg, v, b, acc(i, v))
			}
		}
	}
	p("CMPQ CX, $4")
	p("JLT %s_tail", name)
	label(name + "_loop4")
	p("PREFETCHT0 %d(DX)", 8*nr*4)
	if nr*4 > 64 {
		p("PREFETCHT0 %d(DX)", 8*nr*4+64)
	}
	for l := 0; l < gemmPrefetchLines; l++ {
		p("PREFETCHT1 %d(R11)", 64*l)
	}
	p("ADDQ R12, R11")
	for k := 0; k < 4; k++ {
		step(k)
	}
	p("ADDQ $%d, SI", 4*mr*4)
	p("ADDQ $%d, DX", 4*nr*4)
	p("SUBQ $4, CX")
	p("CMPQ CX, $4")
	p("JGE %s_loop4", name)
	label(name + "_tail")
	p("TESTQ CX, CX")
	p("JE %s_store", name)
	label(name + "_loop1")
	step(0)
	p("ADDQ $%d, SI", mr*4)
	p("ADDQ $%d, DX", nr*4)
	p("DECQ CX")
	p("JNE %s_loop1", name)
	label(name + "_store")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			p("VMOVUPS %s, %d(DI)", acc(i, v), v*width)
		}
		if i < mr-1 {
			p("ADDQ R8, DI")
		}
	}
	p("VZEROUPPER")
	p("RET")
}

// pack512 transposes 16×16 blocks with AVX-512: one half of the 32 rows at a
// time (16 row streams, each prefetched pfDist bytes ahead), 16 columns per
// step.
func pack512() {
	const pfDist = 512
	fmt.Fprintf(&out, "\n// func pack512(dst, src *float32, ld, q int)\n")
	fmt.Fprintf(&out, "TEXT ·pack512(SB), NOSPLIT, $0-32\n")
	p("MOVQ ld+16(FP), R8")
	p("SHLQ $2, R8")
	for h := 0; h < 2; h++ {
		p("MOVQ dst+0(FP), DI")
		p("MOVQ src+8(FP), SI")
		p("MOVQ q+24(FP), CX")
		if h == 1 {
			p("ADDQ $64, DI")
			p("MOVQ R8, R10")
			p("SHLQ $4, R10")
			p("ADDQ R10, SI")
		}
		p("TESTQ CX, CX")
		p("JE pack512_done%d", h)
		label(fmt.Sprintf("pack512_loop%d", h))
		p("MOVQ SI, R9")
		for r := 0; r < 16; r++ {
			p("VMOVUPS (R9), Z%d", r)
			p("PREFETCHT0 %d(R9)", pfDist)
			if r < 15 {
				p("ADDQ R8, R9")
			}
		}
		transpose16()
		for r := 0; r < 16; r++ {
			p("VMOVUPS Z%d, %d(DI)", r, r*128)
		}
		p("ADDQ $64, SI")
		p("ADDQ $%d, DI", 16*128)
		p("DECQ CX")
		p("JNE pack512_loop%d", h)
		label(fmt.Sprintf("pack512_done%d", h))
	}
	p("VZEROUPPER")
	p("RET")
}

// transpose16 transposes Z0..Z15 in place (as a 16×16 matrix of rows),
// using Z16..Z31 as scratch.
func transpose16() {
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	t := func(i int) string { return fmt.Sprintf("Z%d", 16+i) }
	for i := 0; i < 16; i += 2 {
		p("VUNPCKLPS %s, %s, %s", z(i+1), z(i), t(i))
		p("VUNPCKHPS %s, %s, %s", z(i+1), z(i), t(i+1))
	}
	for i := 0; i < 16; i += 4 {
		p("VSHUFPS $0x44, %s, %s, %s", t(i+2), t(i), z(i))
		p("VSHUFPS $0xEE, %s, %s, %s", t(i+2), t(i), z(i+1))
		p("VSHUFPS $0x44, %s, %s, %s", t(i+3), t(i+1), z(i+2))
		p("VSHUFPS $0xEE, %s, %s, %s", t(i+3), t(i+1), z(i+3))
	}
	for i := 0; i < 16; i += 8 {
		for j := 0; j < 4; j++ {
			p("VSHUFF32X4 $0x88, %s, %s, %s", z(i+4+j), z(i+j), t(i+j))
			p("VSHUFF32X4 $0xDD, %s, %s, %s", z(i+4+j), z(i+j), t(i+4+j))
		}
	}
	for j := 0; j < 8; j++ {
		p("VSHUFF32X4 $0x88, %s, %s, %s", t(8+j), t(j), z(j))
		p("VSHUFF32X4 $0xDD, %s, %s, %s", t(8+j), t(j), z(8+j))
	}
}

// pack256 transposes two 8×8 blocks per 8 columns with AVX.
func pack256() {
	fmt.Fprintf(&out, "\n// func pack256(dst, src *float32, ld, q int)\n")
	fmt.Fprintf(&out, "TEXT ·pack256(SB), NOSPLIT, $0-32\n")
	p("MOVQ dst+0(FP), DI")
	p("MOVQ src+8(FP), SI")
	p("MOVQ ld+16(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ q+24(FP), CX")
	p("TESTQ CX, CX")
	p("JE pack256_done")
	label("pack256_loop")
	y := func(i int) string { return fmt.Sprintf("Y%d", i) }
	for h := 0; h < 2; h++ {
		p("MOVQ SI, R9")
		if h == 1 {
			p("MOVQ R8, R10")
			p("SHLQ $3, R10")
			p("ADDQ R10, R9")
		}
		for r := 0; r < 8; r++ {
			p("VMOVUPS (R9), Y%d", r)
			if r < 7 {
				p("ADDQ R8, R9")
			}
		}
		for i := 0; i < 8; i += 2 {
			p("VUNPCKLPS %s, %s, %s", y(i+1), y(i), y(8+i))
			p("VUNPCKHPS %s, %s, %s", y(i+1), y(i), y(8+i+1))
		}
		for i := 0; i < 8; i += 4 {
			p("VSHUFPS $0x44, %s, %s, %s", y(8+i+2), y(8+i), y(i))
			p("VSHUFPS $0xEE, %s, %s, %s", y(8+i+2), y(8+i), y(i+1))
			p("VSHUFPS $0x44, %s, %s, %s", y(8+i+3), y(8+i+1), y(i+2))
			p("VSHUFPS $0xEE, %s, %s, %s", y(8+i+3), y(8+i+1), y(i+3))
		}
		for j := 0; j < 4; j++ {
			p("VPERM2F128 $0x20, %s, %s, %s", y(4+j), y(j), y(8+j))
			p("VPERM2F128 $0x31, %s, %s, %s", y(4+j), y(j), y(12+j))
		}
		for r := 0; r < 8; r++ {
			p("VMOVUPS Y%d, %d(DI)", 8+r, r*64+h*32)
		}
	}
	p("ADDQ $32, SI")
	p("ADDQ $%d, DI", 8*64)
	p("DECQ CX")
	p("JNE pack256_loop")
	label("pack256_done")
	p("VZEROUPPER")
	p("RET")
}

// Constants, each replicated 16 times (64 bytes) in the table ·vconst so the
// AVX2 code can use its first 32 bytes as a memory operand.
var consts = []struct {
	name string
	v    float32
	bits uint32
}{
	{"absmask", 0, 0x7fffffff}, {"one", 1, 0}, {"half", 0.5, 0},
	{"clampx", 12, 0}, {"rsqrt2", 0.70710678118654752, 0}, {"minexp", -87, 0},
	// Numerical Recipes' erfcc: erfc(z) = t·exp(-z² + P(t)), t = 1/(1+z/2),
	// relative error < 1.2e-7 for all z ≥ 0. erfc0 is the constant term.
	{"erfc9", 0.17087277, 0}, {"erfc8", -0.82215223, 0}, {"erfc7", 1.48851587, 0},
	{"erfc6", -1.13520398, 0}, {"erfc5", 0.27886807, 0}, {"erfc4", -0.18628806, 0},
	{"erfc3", 0.09678418, 0}, {"erfc2", 0.37409196, 0}, {"erfc1", 1.00002368, 0},
	{"erfc0", -1.26551223, 0},
	// exp(v) = 2^n·exp(r), r = v - n·ln2 (Cody–Waite), Cephes expf polynomial.
	{"log2e", 1.44269504088896341, 0}, {"ln2hi", 0.693359375, 0}, {"ln2lo", -2.12194440e-4, 0},
	{"exp5", 1.9875691500e-4, 0}, {"exp4", 1.3981999507e-3, 0}, {"exp3", 8.3334519073e-3, 0},
	{"exp2", 4.1665795894e-2, 0}, {"exp1", 1.6666665459e-1, 0}, {"exp0", 5.0000001201e-1, 0},
}

// c returns the memory operand of the named constant.
func c(name string) string {
	for i, k := range consts {
		if k.name == name {
			return fmt.Sprintf("·vconst+%d(SB)", i*64)
		}
	}
	log.Fatalf("no constant %s", name)
	return ""
}

func emitConsts() {
	for i, k := range consts {
		bits := k.bits
		if k.v != 0 {
			bits = math.Float32bits(k.v)
		}
		for j := 0; j < 16; j++ {
			fmt.Fprintf(&out, "DATA ·vconst+%d(SB)/4, $0x%08x\n", i*64+j*4, bits)
		}
	}
	fmt.Fprintf(&out, "GLOBL ·vconst(SB), RODATA|NOPTR, $%d\n", len(consts)*64)
}

// vexp sets r(o) = exp(r(v)) for v ≥ -87.3 (v is clobbered), using
// registers r(t1), r(t2) as scratch.
func vexp(r func(int) string, isa512 bool, v, o, t1, t2 int) {
	p("VMULPS %s, %s, %s", c("log2e"), r(v), r(t1))
	if isa512 {
		p("VRNDSCALEPS $0, %s, %s", r(t1), r(t1))
	} else {
		p("VROUNDPS $0, %s, %s", r(t1), r(t1))
	}
	p("VFNMADD231PS %s, %s, %s", c("ln2hi"), r(t1), r(v))
	p("VFNMADD231PS %s, %s, %s", c("ln2lo"), r(t1), r(v))
	p("VCVTPS2DQ %s, %s", r(t1), r(t1))
	p("VPSLLD $23, %s, %s", r(t1), r(t1))
	p("VMOVUPS %s, %s", c("exp5"), r(o))
	for _, k := range []string{"exp4", "exp3", "exp2", "exp1", "exp0"} {
		p("VFMADD213PS %s, %s, %s", c(k), r(v), r(o))
	}
	p("VMULPS %s, %s, %s", r(v), r(v), r(t2))
	p("VFMADD213PS %s, %s, %s", r(v), r(t2), r(o))
	p("VADDPS %s, %s, %s", c("one"), r(o), r(o))
	p("VPADDD %s, %s, %s", r(t1), r(o), r(o))
}

// gelu emits GELU(x) = max(x,0) - |x|·Q(|x|), Q(u) = Φ(-u) = erfc(u/√2)/2,
// which keeps the result accurate to an ulp where Q is small; |x| is clamped
// to 12, past which the term is below float32 resolution. max(x,0) is
// computed as x/2 + |x|/2, exact for finite x, so that non-finite inputs come
// out as in PyTorch: NaN stays NaN (VMAXPS would return 0 for it, and the
// clamp 12), +Inf stays +Inf and -Inf gives -Inf/2 + Inf/2 = NaN (x·Φ(x) is
// -Inf·0 there).
func gelu(name, reg string, width int) {
	isa512 := reg == "Z"
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(x *float32, nv int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-16\n", name)
	p("MOVQ x+0(FP), DI")
	p("MOVQ nv+8(FP), CX")
	p("TESTQ CX, CX")
	p("JE %s_done", name)
	label(name + "_loop")
	p("VMOVUPS (DI), %s", r(0))
	p("VANDPS %s, %s, %s", c("absmask"), r(0), r(1))
	p("VMULPS %s, %s, %s", c("half"), r(1), r(9))
	p("VFMADD231PS %s, %s, %s", c("half"), r(0), r(9))
	p("VMINPS %s, %s, %s", c("clampx"), r(1), r(1))
	p("VMULPS %s, %s, %s", c("rsqrt2"), r(1), r(2))
	p("VMOVUPS %s, %s", c("one"), r(3))
	p("VFMADD231PS %s, %s, %s", c("half"), r(2), r(3))
	p("VMOVUPS %s, %s", c("one"), r(4))
	p("VDIVPS %s, %s, %s", r(3), r(4), r(3))
	p("VMOVUPS %s, %s", c("erfc9"), r(4))
	for _, k := range []string{"erfc8", "erfc7", "erfc6", "erfc5", "erfc4", "erfc3", "erfc2", "erfc1", "erfc0"} {
		p("VFMADD213PS %s, %s, %s", c(k), r(3), r(4))
	}
	p("VFNMADD231PS %s, %s, %s", r(2), r(2), r(4))
	vexp(r, isa512, 4, 5, 6, 7)
	p("VMULPS %s, %s, %s", r(3), r(5), r(5))
	p("VMULPS %s, %s, %s", c("half"), r(5), r(5))
	p("VFNMADD231PS %s, %s, %s", r(5), r(1), r(9))
	p("VMOVUPS %s, (DI)", r(9))
	p("ADDQ $%d, DI", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_done")
	p("VZEROUPPER")
	p("RET")
}

// expsum emits x ← exp(x - shift) over nv vectors and returns the sum.
func expsum(name, reg string, width int) {
	isa512 := reg == "Z"
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(x *float32, nv int, shift float32) float32\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-28\n", name)
	p("MOVQ x+0(FP), DI")
	p("MOVQ nv+8(FP), CX")
	p("VBROADCASTSS shift+16(FP), %s", r(10))
	p("VXORPS %s, %s, %s", r(11), r(11), r(11))
	p("TESTQ CX, CX")
	p("JE %s_sum", name)
	label(name + "_loop")
	p("VMOVUPS (DI), %s", r(0))
	p("VSUBPS %s, %s, %s", r(10), r(0), r(0))
	p("VMAXPS %s, %s, %s", c("minexp"), r(0), r(0))
	vexp(r, isa512, 0, 1, 2, 3)
	p("VMOVUPS %s, (DI)", r(1))
	p("VADDPS %s, %s, %s", r(1), r(11), r(11))
	p("ADDQ $%d, DI", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_sum")
	hreduce(isa512, 11, 12, "ADD")
	p("VMOVSS X11, ret+24(FP)")
	p("VZEROUPPER")
	p("RET")
}

// dotRows is how many W rows a dot kernel for mr x rows handles: as many as
// fit the registers (mr·nw accumulators, mr x vectors, two W vectors), ≤ 8.
func dotRows(mr, regs int) int {
	nw := 8
	for mr*nw+mr+2 > regs {
		nw--
	}
	return nw
}

// dotPrefetchLines is how many cache lines of the caller's next W block a
// dot kernel prefetches into L2 per k vector (at pf, advancing pfStep bytes).
const dotPrefetchLines = 2

// dot emits dot{isa}x{mr}x{nw}: for r < mr, c < nw,
// out[r*nw+c] = Σ_{p < kv·width/4} x[r*ldx+p]·w[c*ldw+p]
// with one vector accumulator per (r, c), reduced at the end by dotReduce;
// out must have room for mr·nw rounded up to a whole vector.
func dot(name, reg string, width, mr, nw int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	acc := func(i, c int) int { return mr + 2 + i*nw + c }
	fmt.Fprintf(&out, "\n// func %s(kv int, x *float32, ldx int, w *float32, ldw int, out *float32, pf *float32, pfStep int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-64\n", name)
	p("MOVQ kv+0(FP), CX")
	p("MOVQ x+8(FP), SI")
	p("MOVQ ldx+16(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ w+24(FP), DX")
	p("MOVQ ldw+32(FP), R9")
	p("SHLQ $2, R9")
	p("MOVQ out+40(FP), DI")
	p("MOVQ pf+48(FP), AX")
	p("MOVQ pfStep+56(FP), BX")
	for i := 0; i < mr; i++ {
		for c := 0; c < nw; c++ {
			p("VXORPS %s, %s, %s", r(acc(i, c)), r(acc(i, c)), r(acc(i, c)))
		}
	}
	// x rows at SI, R10, R11, R12; W row c at DX + c·ldw (walked by R14);
	// R15 is the byte offset along k.
	xr := []string{"SI", "R10", "R11", "R12"}
	for i := 1; i < mr; i++ {
		p("LEAQ (%s)(R8*1), %s", xr[i-1], xr[i])
	}
	p("TESTQ CX, CX")
	p("JE %s_reduce", name)
	p("XORQ R15, R15")
	label(name + "_loop")
	for l := 0; l < dotPrefetchLines; l++ {
		p("PREFETCHT1 %d(AX)", 64*l)
	}
	p("ADDQ BX, AX")
	for i := 0; i < mr; i++ {
		p("VMOVUPS (%s)(R15*1), %s", xr[i], r(i))
	}
	p("MOVQ DX, R14")
	for c := 0; c < nw; c++ {
		wv := r(mr + c%2)
		p("VMOVUPS (R14)(R15*1), %s", wv)
		if c < nw-1 {
			p("ADDQ R9, R14")
		}
		for i := 0; i < mr; i++ {
			p("VFMADD231PS %s, %s, %s", wv, r(i), r(acc(i, c)))
		}
	}
	p("ADDQ $%d, R15", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_reduce")
	var accs []int
	for i := 0; i < mr; i++ {
		for c := 0; c < nw; c++ {
			accs = append(accs, acc(i, c))
		}
	}
	free := map[int]bool{}
	for i := 0; i < mr+2; i++ {
		free[i] = true
	}
	for i := mr + 2 + mr*nw; i < 32 && (reg == "Z" || i < 16); i++ {
		free[i] = true
	}
	lanes := width / 4
	for g := 0; g < len(accs); g += lanes {
		dotReduce(reg, accs[g:min(len(accs), g+lanes)], free, g*4)
	}
	p("VZEROUPPER")
	p("RET")
}

// dotReduce sums each of the accumulator registers accs (≤ one per lane)
// over its lanes and stores the sums, in order, as one vector at off(DI);
// lanes past len(accs) get garbage. Registers in free are scratch; accs are
// released to it as they are consumed. Accumulators a[t], a[4+t], a[8+t],
// a[12+t] (a[t], a[4+t] for ymm) are folded to 128-bit chunks of one vector
// z_t by lane shuffles; then a 4×4 transpose-and-add inside each 128-bit
// lane leaves a[4c+t] in lane 4c+t.
func dotReduce(reg string, accs []int, free map[int]bool, off int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	alloc := func() int {
		for i := 0; i < 32; i++ {
			if free[i] {
				delete(free, i)
				return i
			}
		}
		log.Fatal("dotReduce: out of registers")
		return 0
	}
	isAcc := map[int]bool{}
	for _, a := range accs {
		isAcc[a] = true
	}
	release := func(i int) {
		if isAcc[i] {
			delete(isAcc, i)
			free[i] = true
		}
	}
	zero := -1
	get := func(i int) int {
		if i < len(accs) {
			return accs[i]
		}
		if zero < 0 {
			zero = alloc()
			p("VXORPS %s, %s, %s", r(zero), r(zero), r(zero))
		}
		return zero
	}
	// pair folds a and b into one vector whose first half of 128-bit chunks
	// sums a's chunks pairwise and the second half b's.
	pair := func(a, b int, lo, hi string) int {
		t0, t1 := alloc(), alloc()
		if reg == "Z" {
			p("VSHUFF32X4 %s, %s, %s, %s", lo, r(b), r(a), r(t0))
			p("VSHUFF32X4 %s, %s, %s, %s", hi, r(b), r(a), r(t1))
		} else {
			p("VPERM2F128 %s, %s, %s, %s", lo, r(b), r(a), r(t0))
			p("VPERM2F128 %s, %s, %s, %s", hi, r(b), r(a), r(t1))
		}
		p("VADDPS %s, %s, %s", r(t1), r(t0), r(t0))
		free[t1] = true
		release(a)
		release(b)
		return t0
	}
	var z [4]int
	for t := 0; t < 4; t++ {
		if reg == "Z" {
			s1 := pair(get(t), get(4+t), "$0x44", "$0xEE")
			s2 := pair(get(8+t), get(12+t), "$0x44", "$0xEE")
			z[t] = pair(s1, s2, "$0x88", "$0xDD")
			free[s1], free[s2] = true, true
		} else {
			z[t] = pair(get(t), get(4+t), "$0x20", "$0x31")
		}
	}
	// In each 128-bit lane: u = [z0₀+z0₂, z1₀+z1₂, z0₁+z0₃, z1₁+z1₃], v the
	// same for z2, z3; then [u₀+u₂, u₁+u₃, v₀+v₂, v₁+v₃].
	inLane := func(a, b int) int {
		t0, t1 := alloc(), alloc()
		p("VUNPCKLPS %s, %s, %s", r(b), r(a), r(t0))
		p("VUNPCKHPS %s, %s, %s", r(b), r(a), r(t1))
		p("VADDPS %s, %s, %s", r(t1), r(t0), r(t0))
		free[t1], free[a], free[b] = true, true, true
		return t0
	}
	u, v := inLane(z[0], z[1]), inLane(z[2], z[3])
	t0, t1 := alloc(), alloc()
	p("VSHUFPS $0x44, %s, %s, %s", r(v), r(u), r(t0))
	p("VSHUFPS $0xEE, %s, %s, %s", r(v), r(u), r(t1))
	p("VADDPS %s, %s, %s", r(t1), r(t0), r(t0))
	p("VMOVUPS %s, %d(DI)", r(t0), off)
	free[t0], free[t1], free[u], free[v] = true, true, true, true
	if zero >= 0 {
		free[zero] = true
	}
	for a := range isAcc {
		free[a] = true
	}
}

// hreduce folds the lanes of vector register a into lane 0 of Xa with op
// ("ADD" or "MAX"), using register t as scratch.
func hreduce(isa512 bool, a, t int, op string) {
	if isa512 {
		p("VEXTRACTF32X8 $1, Z%d, Y%d", a, t)
		p("V%sPS Y%d, Y%d, Y%d", op, t, a, a)
	}
	p("VEXTRACTF128 $1, Y%d, X%d", a, t)
	p("V%sPS X%d, X%d, X%d", op, t, a, a)
	p("VMOVHLPS X%d, X%d, X%d", a, t, t)
	p("V%sPS X%d, X%d, X%d", op, t, a, a)
	p("VPSHUFD $1, X%d, X%d", a, t)
	p("V%sSS X%d, X%d, X%d", op, t, a, a)
}

// reduce emits a function over nv vectors at x returning one float32:
// name(x *float32, nv int[, c float32]) float32. With c, every vector is
// first transformed by the op pre (e.g. "dev" for (x-c)²); acc starts at
// the first vector (MAX) or zero (ADD).
func reduce(name, reg string, width int, op, pre string) {
	isa512 := reg == "Z"
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	args, frame := "x *float32, nv int", 20
	if pre != "" {
		args, frame = "x *float32, nv int, c float32", 28
	}
	fmt.Fprintf(&out, "\n// func %s(%s) float32\n", name, args)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, frame)
	p("MOVQ x+0(FP), DI")
	p("MOVQ nv+8(FP), CX")
	if pre != "" {
		p("VBROADCASTSS c+16(FP), %s", r(10))
	}
	// Two accumulators (4 and 5) to overlap the add latency.
	if op == "MAX" {
		p("VBROADCASTSS (DI), %s", r(4))
	} else {
		p("VXORPS %s, %s, %s", r(4), r(4), r(4))
	}
	p("VMOVUPS %s, %s", r(4), r(5))
	p("TESTQ CX, CX")
	p("JE %s_fold", name)
	label(name + "_loop")
	p("VMOVUPS (DI), %s", r(0))
	if pre == "dev" {
		p("VSUBPS %s, %s, %s", r(10), r(0), r(0))
		p("VMULPS %s, %s, %s", r(0), r(0), r(0))
	}
	p("V%sPS %s, %s, %s", op, r(0), r(4), r(4))
	p("ADDQ $%d, DI", width)
	p("DECQ CX")
	p("JE %s_fold", name)
	p("VMOVUPS (DI), %s", r(1))
	if pre == "dev" {
		p("VSUBPS %s, %s, %s", r(10), r(1), r(1))
		p("VMULPS %s, %s, %s", r(1), r(1), r(1))
	}
	p("V%sPS %s, %s, %s", op, r(1), r(5), r(5))
	p("ADDQ $%d, DI", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_fold")
	p("V%sPS %s, %s, %s", op, r(5), r(4), r(11))
	hreduce(isa512, 11, 12, op)
	p("VMOVSS X11, ret+%d(FP)", frame-4)
	p("VZEROUPPER")
	p("RET")
}

// scale emits name(x *float32, nv int, s float32): x *= s.
func scale(name, reg string, width int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(x *float32, nv int, s float32)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-20\n", name)
	p("MOVQ x+0(FP), DI")
	p("MOVQ nv+8(FP), CX")
	p("VBROADCASTSS s+16(FP), %s", r(10))
	p("TESTQ CX, CX")
	p("JE %s_done", name)
	label(name + "_loop")
	p("VMULPS (DI), %s, %s", r(10), r(0))
	p("VMOVUPS %s, (DI)", r(0))
	p("ADDQ $%d, DI", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_done")
	p("VZEROUPPER")
	p("RET")
}

// norm emits name(x, gamma, beta *float32, nv int, mean, inv float32):
// x = (x - mean)·inv·gamma + beta, the LayerNorm affine step.
func norm(name, reg string, width int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(x, gamma, beta *float32, nv int, mean, inv float32)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", name)
	p("MOVQ x+0(FP), DI")
	p("MOVQ gamma+8(FP), SI")
	p("MOVQ beta+16(FP), DX")
	p("MOVQ nv+24(FP), CX")
	p("VBROADCASTSS mean+32(FP), %s", r(10))
	p("VBROADCASTSS inv+36(FP), %s", r(11))
	p("TESTQ CX, CX")
	p("JE %s_done", name)
	label(name + "_loop")
	p("VMOVUPS (DI), %s", r(0))
	p("VSUBPS %s, %s, %s", r(10), r(0), r(0))
	p("VMULPS %s, %s, %s", r(11), r(0), r(0))
	p("VMOVUPS (DX), %s", r(1))
	p("VFMADD231PS (SI), %s, %s", r(0), r(1))
	p("VMOVUPS %s, (DI)", r(1))
	p("ADDQ $%d, DI", width)
	p("ADDQ $%d, SI", width)
	p("ADDQ $%d, DX", width)
	p("DECQ CX")
	p("JNE %s_loop", name)
	label(name + "_done")
	p("VZEROUPPER")
	p("RET")
}

// maxRowVectors is the largest row length, in vectors, of the dots and
// axpys kernels (d ≤ 128 floats with AVX-512, 64 with AVX2).
const maxRowVectors = 8

// dots emits name(out *float32, rows int, q, k *float32, ldk int) for
// d = dv vectors: out[j] = q·k[j*ldk : j*ldk+d] for j < rows (attention
// scores). Products go to up to four accumulators, summed then reduced.
func dots(name, reg string, width, dv int) {
	isa512 := reg == "Z"
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(out *float32, rows int, q, k *float32, ldk int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", name)
	p("MOVQ out+0(FP), DI")
	p("MOVQ rows+8(FP), CX")
	p("MOVQ q+16(FP), SI")
	p("MOVQ k+24(FP), DX")
	p("MOVQ ldk+32(FP), R9")
	p("SHLQ $2, R9")
	p("TESTQ CX, CX")
	p("JE %s_done", name)
	label(name + "_row")
	na := min(4, dv)
	for c := 0; c < dv; c++ {
		t := 8 + c%2
		p("VMOVUPS %d(DX), %s", c*width, r(t))
		if c < na {
			p("VMULPS %d(SI), %s, %s", c*width, r(t), r(4+c))
		} else {
			p("VFMADD231PS %d(SI), %s, %s", c*width, r(t), r(4+c%4))
		}
	}
	for c := 1; c < na; c++ {
		p("VADDPS %s, %s, %s", r(4+c), r(4), r(4))
	}
	hreduce(isa512, 4, 12, "ADD")
	p("VMOVSS X4, (DI)")
	p("ADDQ $4, DI")
	p("ADDQ R9, DX")
	p("DECQ CX")
	p("JNE %s_row", name)
	label(name + "_done")
	p("VZEROUPPER")
	p("RET")
}

// axpys emits name(out *float32, rows int, p, v *float32, ldv int) for
// d = dv vectors: out[0:d] += Σ_j p[j]·v[j*ldv : j*ldv+d] (attention
// probabilities times values), with out held in registers.
func axpys(name, reg string, width, dv int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	fmt.Fprintf(&out, "\n// func %s(out *float32, rows int, p, v *float32, ldv int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", name)
	p("MOVQ out+0(FP), DI")
	p("MOVQ rows+8(FP), CX")
	p("MOVQ p+16(FP), SI")
	p("MOVQ v+24(FP), DX")
	p("MOVQ ldv+32(FP), R9")
	p("SHLQ $2, R9")
	for c := 0; c < dv; c++ {
		p("VMOVUPS %d(DI), %s", c*width, r(4+c))
	}
	p("TESTQ CX, CX")
	p("JE %s_store", name)
	label(name + "_row")
	p("VBROADCASTSS (SI), %s", r(0))
	for c := 0; c < dv; c++ {
		p("VFMADD231PS %d(DX), %s, %s", c*width, r(0), r(4+c))
	}
	p("ADDQ $4, SI")
	p("ADDQ R9, DX")
	p("DECQ CX")
	p("JNE %s_row", name)
	label(name + "_store")
	for c := 0; c < dv; c++ {
		p("VMOVUPS %s, %d(DI)", r(4+c), c*width)
	}
	p("VZEROUPPER")
	p("RET")
}

func main() {
	dst := flag.String("out", "kernels_amd64.s", "assembly output file")
	goOut := flag.String("go", "kernels_amd64_gen.go", "Go declarations output file")
	flag.Parse()
	out.WriteString("// Code generated by internal/asmgen; DO NOT EDIT.\n\n//go:build amd64\n\n#include \"textflag.h\"\n")
	var decl bytes.Buffer
	decl.WriteString("// Code generated by internal/asmgen; DO NOT EDIT.\n\n//go:build amd64\n\npackage linalg\n")
	fmt.Fprintf(&decl, "\n// gemmPrefetchLines is how many lines of the next W block the gemm\n// micro-kernels prefetch per 4 k steps.\nconst gemmPrefetchLines = %d\n", gemmPrefetchLines)
	fmt.Fprintf(&decl, "\n// dotPrefetchLines is how many lines of the next W block the dot kernels\n// prefetch per k vector.\nconst dotPrefetchLines = %d\n", dotPrefetchLines)
	tables := map[string][]string{}
	for _, isa := range []struct {
		name, reg string
		width, mr int
		regs      int
	}{{"512", "Z", 64, 14, 32}, {"256", "Y", 32, 6, 16}} {
		var gemms []string
		for mr := 1; mr <= isa.mr; mr++ {
			name := fmt.Sprintf("gemm%sx%d", isa.name, mr)
			gemm(name, mr, 2, isa.width, isa.reg)
			fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(kc int, a, b, c *float32, ldc int, init *float32, ldi int, pf *float32, pfStep int)\n", name)
			gemms = append(gemms, name)
		}
		tables["gemm"+isa.name] = append([]string{"nil"}, gemms...)
		dots := []string{"nil"}
		for mr := 1; mr <= 4; mr++ {
			row := []string{"nil"}
			for nw := 1; nw <= dotRows(mr, isa.regs); nw++ {
				name := fmt.Sprintf("dot%sx%dx%d", isa.name, mr, nw)
				dot(name, isa.reg, isa.width, mr, nw)
				fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(kv int, x *float32, ldx int, w *float32, ldw int, out *float32, pf *float32, pfStep int)\n", name)
				row = append(row, name)
			}
			dots = append(dots, "{"+strings.Join(row, ", ")+"}")
		}
		tables["dot"+isa.name] = dots
	}
	pack512()
	pack256()
	gelu("gelu512", "Z", 64)
	gelu("gelu256", "Y", 32)
	expsum("expsum512", "Z", 64)
	expsum("expsum256", "Y", 32)
	for _, isa := range []struct {
		name, reg string
		width     int
	}{{"512", "Z", 64}, {"256", "Y", 32}} {
		reduce("vmax"+isa.name, isa.reg, isa.width, "MAX", "")
		reduce("vsum"+isa.name, isa.reg, isa.width, "ADD", "")
		reduce("vsqdev"+isa.name, isa.reg, isa.width, "ADD", "dev")
		scale("vscale"+isa.name, isa.reg, isa.width)
		norm("vnorm"+isa.name, isa.reg, isa.width)
	}
	for _, isa := range []struct {
		name, reg string
		width     int
	}{{"512", "Z", 64}, {"256", "Y", 32}} {
		dt, at := []string{"nil"}, []string{"nil"}
		for dv := 1; dv <= maxRowVectors; dv++ {
			dn, an := fmt.Sprintf("dots%sx%d", isa.name, dv), fmt.Sprintf("axpys%sx%d", isa.name, dv)
			dots(dn, isa.reg, isa.width, dv)
			axpys(an, isa.reg, isa.width, dv)
			fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(out *float32, rows int, q, k *float32, ldk int)\n", dn)
			fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(out *float32, rows int, p, v *float32, ldv int)\n", an)
			dt, at = append(dt, dn), append(at, an)
		}
		tables["dots"+isa.name], tables["axpys"+isa.name] = dt, at
	}
	out.WriteString("\n")
	emitConsts()
	for _, t := range []struct{ name, typ string }{{"gemm512", "microKernel"}, {"gemm256", "microKernel"}, {"dot512", "[]dotKernel"}, {"dot256", "[]dotKernel"},
		{"dots512", "rowKernel"}, {"dots256", "rowKernel"}, {"axpys512", "rowKernel"}, {"axpys256", "rowKernel"}} {
		fmt.Fprintf(&decl, "\nvar %s = []%s{\n", t.name, t.typ)
		for _, e := range tables[t.name] {
			fmt.Fprintf(&decl, "\t%s,\n", e)
		}
		decl.WriteString("}\n")
	}
	src, err := format.Source(decl.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*goOut, src, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*dst, out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
