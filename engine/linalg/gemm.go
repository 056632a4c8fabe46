package linalg

import "sync"

// dotKernel is the signature of the small-m assembly kernels; see
// kernels_amd64.go.
type dotKernel func(kv int, x *float32, ldx int, w *float32, ldw int, out *float32, pf *float32, pfStep int)

// rowKernel is the signature of the attention-row kernels (dots and axpys,
// see Dots and AddScaledRows), for rows of a fixed number of vectors.
type rowKernel func(out *float32, rows int, a, b *float32, ld int)

// microKernel is the signature of the assembly micro-kernels; see
// kernels_amd64.go for their contract.
type microKernel func(kc int, a, b, c *float32, ldc int, init *float32, ldi int, pf *float32, pfStep int)

// kernelSet is one SIMD implementation: the blocked sgemm and the
// element-wise kernels.
type kernelSet struct {
	name     string
	nr       int           // columns of y per micro-tile (packed B width)
	micro    []microKernel // micro[mr] handles mr rows, 1 ≤ mr < len(micro)
	pfLines  int           // cache lines a micro-kernel prefetches per 4 k steps
	pack     func(dst, src *float32, ld, q int)
	packCols int // k columns pack handles per q

	dot        [][]dotKernel // dot[mr][nw], 1 ≤ mr ≤ 4, 1 ≤ nw < len(dot[mr])
	dotPfLines int           // cache lines a dot kernel prefetches per k vector

	vw     int // floats per vector for the element-wise kernels
	gelu   func(x *float32, nv int)
	expsum func(x *float32, nv int, shift float32) float32
	vmax   func(x *float32, nv int) float32
	vsum   func(x *float32, nv int) float32
	vsqdev func(x *float32, nv int, c float32) float32
	vscale func(x *float32, nv int, s float32)
	vnorm  func(x, gamma, beta *float32, nv int, mean, inv float32)
	dots   []rowKernel // dots[dv] for rows of dv vectors
	axpys  []rowKernel // axpys[dv] likewise
}

// Blocking, tuned on Zen 4 (32 KiB L1d, 1 MiB L2 per core): a task packs a
// block of W of up to kcBlock×nc floats and sweeps the row panels of x over
// it. The micro-kernel's 28 zmm accumulators leave its loads far below L2
// bandwidth, so splitting k finer (and re-reading y for every k block) did
// not pay; k ≤ kcBlock is one pass. A block is about packFloats (1 MiB, so it
// stays in L2) for large m, where re-sweeping x over many blocks costs; for
// m ≤ smallM it is smallPackFloats, so that the packed block and the next
// block, prefetched while this one is multiplied, both fit in L2.
const (
	kcBlock         = 4096
	packFloats      = 256 << 10
	smallPackFloats = 64 << 10
	smallM          = 256
	ncMax           = 512
)

// maxMR and maxNR bound the micro-tile of every kernel set.
const maxMR, maxNR = 14, 32

var zeroBias [maxNR]float32

// bufPool recycles packing buffers between calls and tasks.
var bufPool sync.Pool

func getBuf(n int) *[]float32 {
	if p, ok := bufPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
}

// dotMaxM is the largest m that linear sends to the unpacked dot-product
// path, where packing W costs more than the packed kernel saves. (With W
// streaming from memory the dot path is still ~10% faster at m = 24, even at
// 38; but it sums in another order, and the packed path's rows do not depend
// on m, which the engine relies on for batch-independent results from m = 17
// up, so the boundary stays.)
var dotMaxM = 16

// linear computes y = x·Wᵀ + b: small m on the dot-product path, otherwise
// with the blocked, packed algorithm:
// x is packed once into mr-row panels; the columns of y are split into tasks
// of at most ncMax, each of which packs its block of W (kcBlock deep) and runs
// the micro-kernel over every row panel.
func (ks *kernelSet) linear(y, x, w, b []float32, m, n, k int) {
	if m <= dotMaxM {
		ks.linearDot(y, x, w, b, m, n, k)
		return
	}
	// Row panels of (nearly) equal height ≤ the widest kernel, so no call
	// ends on a thin, slow panel (128 rows: 10 panels of 13 and 11 rows).
	mr := len(ks.micro) - 1
	mr = (m + (m+mr-1)/mr - 1) / ((m + mr - 1) / mr)
	nr := ks.nr
	// Pack A: for each k block at kb, panel starting at row i0 with h rows
	// lives at ap[kb*m+i0*kcb:], laid out [kcb][h].
	apBuf := getBuf(m * k)
	defer bufPool.Put(apBuf)
	ap := *apBuf
	panels := (m + mr - 1) / mr
	packTasks := min(panels, 4*workers())
	perPack := (panels + packTasks - 1) / packTasks
	parallelFor(packTasks, func(t int) {
		for pi := t * perPack; pi < min(panels, (t+1)*perPack); pi++ {
			i0 := pi * mr
			h := min(mr, m-i0)
			for kb := 0; kb < k; kb += kcBlock {
				kcb := min(kcBlock, k-kb)
				dst := ap[kb*m+i0*kcb : kb*m+(i0+h)*kcb]
				for r := 0; r < h; r++ {
					src := x[(i0+r)*k+kb : (i0+r)*k+kb+kcb]
					for p, v := range src {
						dst[p*h+r] = v
					}
				}
			}
		}
	})

	nPanels := (n + nr - 1) / nr
	block := packFloats
	if m <= smallM {
		block = smallPackFloats
	}
	nc := max(nr, min(ncMax, block/min(k, kcBlock)))
	perTask := max(1, min(nc/nr, (nPanels+2*workers()-1)/(2*workers())))
	tasks := (nPanels + perTask - 1) / perTask
	parallelRanges(tasks, func(t, nt int) {
		j0 := t * perTask * nr
		j1 := min(n, j0+perTask*nr)
		bpBuf := getBuf(min(k, kcBlock) * perTask * nr)
		defer bufPool.Put(bpBuf)
		bp := *bpBuf
		var tile [maxMR * maxNR]float32
		// While multiplying, prefetch the W rows of task nt (the one this
		// goroutine most likely runs next) into L2, a chunk per micro-kernel
		// call, so W streams from memory under the arithmetic. Large m has
		// time enough to pack from memory, and no room in L2.
		pf, pfEnd := 0, 0
		if m <= smallM && nt >= 0 {
			pf, pfEnd = nt*perTask*nr*k, min(n, (nt+1)*perTask*nr)*k
		}
		for kb := 0; kb < k; kb += kcBlock {
			kcb := min(kcBlock, k-kb)
			for j := j0; j < j1; j += nr {
				ks.packB(bp[(j-j0)*kcb:(j-j0+nr)*kcb], w[j*k+kb:], k, min(nr, n-j), kcb)
			}
			for i0 := 0; i0 < m; i0 += mr {
				h := min(mr, m-i0)
				kern := ks.micro[h]
				a := &ap[kb*m+i0*kcb]
				for j := j0; j < j1; j += nr {
					bpan := &bp[(j-j0)*kcb]
					c := y[i0*n+j:]
					pfp, pfStep := &zeroBias[0], 0
					if pf < pfEnd {
						pfp, pfStep = &w[pf], 64*ks.pfLines
						pf += kcb / 4 * 16 * ks.pfLines
					}
					if j+nr <= n {
						init, ldi := &c[0], n
						if kb == 0 {
							init, ldi = &zeroBias[0], 0
							if b != nil {
								init = &b[j]
							}
						}
						kern(kcb, a, bpan, &c[0], n, init, ldi, pfp, pfStep)
						continue
					}
					// Right edge: run on a padded tile and copy the valid columns.
					wd := n - j
					for r := 0; r < h; r++ {
						row := tile[r*nr : r*nr+nr]
						clear(row)
						switch {
						case kb > 0:
							copy(row, c[r*n:r*n+wd])
						case b != nil:
							copy(row, b[j:n])
						}
					}
					kern(kcb, a, bpan, &tile[0], nr, &tile[0], nr, pfp, pfStep)
					for r := 0; r < h; r++ {
						copy(c[r*n:r*n+wd], tile[r*nr:r*nr+wd])
					}
				}
			}
		}
	})
}

// packB packs rows (≤ nr) rows of w (row stride ld) × kc columns into dst
// ([kc][nr], zero-padded to nr columns).
func (ks *kernelSet) packB(dst, w []float32, ld, rows, kc int) {
	nr := ks.nr
	done := 0
	if rows == nr {
		if q := kc / ks.packCols; q > 0 {
			ks.pack(&dst[0], &w[0], ld, q)
			done = q * ks.packCols
		}
	} else {
		clear(dst)
	}
	if done == kc {
		return
	}
	for r := 0; r < rows; r++ {
		src := w[r*ld+done : r*ld+kc]
		for p, v := range src {
			dst[(done+p)*nr+r] = v
		}
	}
}

// dotBlockFloats bounds the block of W (whole rows) a dot-path task sweeps
// every group of x rows over: 256 KiB, so that it and the next block,
// prefetched meanwhile, stay in L2 with x.
const dotBlockFloats = 64 << 10

// linearDot is Linear without packing: every output is a dot product of an x
// row and a W row, computed by register-tiled kernels over up to 4 x rows ×
// nw W rows, reduced once per tile. The rows of W are split into blocks, one
// task each, over which all of x is swept while the kernels prefetch the
// block this goroutine most likely runs next (see parallelRanges) into L2,
// so that W is read from memory once, under the arithmetic.
func (ks *kernelSet) linearDot(y, x, w, b []float32, m, n, k int) {
	kv := k / ks.vw
	kt := kv * ks.vw // the kernels cover k < kt; Go adds the rest
	// The row-group height with the most accumulators per tile.
	mr := 1
	for r := 2; r < len(ks.dot); r++ {
		if r*(len(ks.dot[r])-1) >= mr*(len(ks.dot[mr])-1) {
			mr = r
		}
	}
	nw := len(ks.dot[mr]) - 1
	rows := max(nw, dotBlockFloats/k/nw*nw)
	tasks := (n + rows - 1) / rows
	pfStep := 64 * ks.dotPfLines
	// The kernels read x from a copy whose rows are one vector longer, so
	// that its rows and W's (k a multiple of 1024 in BERT) do not all fall
	// in the same L1 cache set.
	ldx := kt + ks.vw
	xpBuf := getBuf(m * ldx)
	defer bufPool.Put(xpBuf)
	xp := *xpBuf
	for i := 0; i < m; i++ {
		copy(xp[i*ldx:i*ldx+kt], x[i*k:i*k+kt])
	}
	parallelRanges(tasks, func(t, nt int) {
		j0, j1 := t*rows, min(n, (t+1)*rows)
		pf, pfEnd := 0, 0
		if nt >= 0 {
			pf, pfEnd = nt*rows*k, min(n, (nt+1)*rows)*k
		}
		var out [32]float32
		for i0 := 0; i0 < m; i0 += mr {
			h := min(mr, m-i0)
			row := ks.dot[h]
			for j := j0; j < j1; {
				wd := min(len(row)-1, j1-j)
				pfp, step := &zeroBias[0], 0
				if pf < pfEnd {
					pfp, step = &w[pf], pfStep
					pf += kv * pfStep / 4
				}
				row[wd](kv, &xp[i0*ldx], ldx, &w[j*k], k, &out[0], pfp, step)
				for r := 0; r < h; r++ {
					xr := x[(i0+r)*k : (i0+r+1)*k]
					yr := y[(i0+r)*n : (i0+r+1)*n]
					for c := 0; c < wd; c++ {
						s := out[r*wd+c]
						if kt < k {
							wc := w[(j+c)*k : (j+c+1)*k]
							for p := kt; p < k; p++ {
								s += xr[p] * wc[p]
							}
						}
						if b != nil {
							s += b[j+c]
						}
						yr[j+c] = s
					}
				}
				j += wd
			}
		}
	})
}
