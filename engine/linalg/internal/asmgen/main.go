// Command asmgen writes kernels_amd64.s, the Go assembly micro-kernels and
// packing routines of package linalg. It is its own module so the main module
// never depends on it; regenerate with `go generate ./engine/linalg/`.
//
// Kernels (see engine/linalg/kernels_amd64.go for the Go declarations):
//
//	gemm512x{1..14}: AVX-512 C[mr,32] = init + A·B over kc steps, A packed
//	                 [kc][mr], B packed [kc][32], 2 zmm accumulators per row.
//	gemm256x{1..6}:  AVX2+FMA, the same with B packed [kc][16].
//	pack512:         transposes 32 rows × 16·q columns into [16·q][32].
//	pack256:         transposes 16 rows × 8·q columns into [8·q][16].
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

func label(s string) { fmt.Fprintf(&out, "%s:\n", s) }

// gemm emits one micro-kernel: mr rows, nv vectors of width bytes per row,
// register prefix reg ("Z" or "Y"), broadcasting A elements.
func gemm(name string, mr, nv, width int, reg string) {
	nr := nv * width / 4 // floats per packed B row
	fmt.Fprintf(&out, "\n// func %s(kc int, a, b, c *float32, ldc int, init *float32, ldi int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ kc+0(FP), CX")
	p("MOVQ a+8(FP), SI")
	p("MOVQ b+16(FP), DX")
	p("MOVQ c+24(FP), DI")
	p("MOVQ ldc+32(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ init+40(FP), R9")
	p("MOVQ ldi+48(FP), R10")
	p("SHLQ $2, R10")
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

// pack512 transposes 16×16 blocks with AVX-512: rows r0..r15 → columns.
func pack512() {
	fmt.Fprintf(&out, "\n// func pack512(dst, src *float32, ld, q int)\n")
	fmt.Fprintf(&out, "TEXT ·pack512(SB), NOSPLIT, $0-32\n")
	p("MOVQ dst+0(FP), DI")
	p("MOVQ src+8(FP), SI")
	p("MOVQ ld+16(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ q+24(FP), CX")
	p("TESTQ CX, CX")
	p("JE pack512_done")
	label("pack512_loop")
	for h := 0; h < 2; h++ {
		// Load 16 rows starting at row 16h into Z0..Z15 (R9 walks the rows).
		p("MOVQ SI, R9")
		if h == 1 {
			p("MOVQ R8, R10")
			p("SHLQ $4, R10")
			p("ADDQ R10, R9")
		}
		for r := 0; r < 16; r++ {
			p("VMOVUPS (R9), Z%d", r)
			if r < 15 {
				p("ADDQ R8, R9")
			}
		}
		transpose16()
		for r := 0; r < 16; r++ {
			p("VMOVUPS Z%d, %d(DI)", r, r*128+h*64)
		}
	}
	p("ADDQ $64, SI")
	p("ADDQ $%d, DI", 16*128)
	p("DECQ CX")
	p("JNE pack512_loop")
	label("pack512_done")
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

func main() {
	dst := flag.String("out", "kernels_amd64.s", "output file")
	flag.Parse()
	out.WriteString("// Code generated by internal/asmgen; DO NOT EDIT.\n\n//go:build amd64\n\n#include \"textflag.h\"\n")
	for mr := 1; mr <= 14; mr++ {
		gemm(fmt.Sprintf("gemm512x%d", mr), mr, 2, 64, "Z")
	}
	for mr := 1; mr <= 6; mr++ {
		gemm(fmt.Sprintf("gemm256x%d", mr), mr, 2, 32, "Y")
	}
	pack512()
	pack256()
	if err := os.WriteFile(*dst, out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
