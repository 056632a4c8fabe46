package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDotsAndAddScaledRows(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	forEachKernel(t, func(t *testing.T) {
		for _, d := range []int{1, 7, 8, 16, 24, 32, 64, 100, 128, 136} {
			for _, rows := range []int{1, 3, 17, 128} {
				ld := d + r.IntN(40)
				q, k := randSlice(r, d), randSlice(r, (rows-1)*ld+d)
				out := randSlice(r, rows)
				Dots(out, q, k, ld)
				for j := range out {
					var want, scale float64
					for i := 0; i < d; i++ {
						want += float64(q[i]) * float64(k[j*ld+i])
						scale += math.Abs(float64(q[i]) * float64(k[j*ld+i]))
					}
					if math.Abs(float64(out[j])-want) > 4*float64(d)*0x1p-24*scale {
						t.Fatalf("d=%d rows=%d: Dots[%d] = %g, want %g", d, rows, j, out[j], want)
					}
				}
				p, acc := randSlice(r, rows), randSlice(r, d)
				got := append([]float32(nil), acc...)
				AddScaledRows(got, p, k, ld)
				for i := range got {
					want, scale := float64(acc[i]), math.Abs(float64(acc[i]))
					for j := 0; j < rows; j++ {
						want += float64(p[j]) * float64(k[j*ld+i])
						scale += math.Abs(float64(p[j]) * float64(k[j*ld+i]))
					}
					if math.Abs(float64(got[i])-want) > 4*float64(rows+1)*0x1p-24*scale {
						t.Fatalf("d=%d rows=%d: AddScaledRows[%d] = %g, want %g", d, rows, i, got[i], want)
					}
				}
			}
		}
		Dots(nil, []float32{1}, nil, 1)
		AddScaledRows([]float32{1}, nil, nil, 1)
	})
}
