package stats

import (
	"math"
	"testing"
)

// Hedges' g of every golden column, against statsmodels' effectsize_smd: the scalar and the column
// versions, which must also share t's sign.
func TestHedgesGGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.TTest {
		if len(c.G) != c.N {
			t.Fatalf("%s: golden has %d g values for %d columns", c.Name, len(c.G), c.N)
		}
		a32, b32 := make([]float32, len(c.A)), make([]float32, len(c.B))
		for i, v := range c.A {
			a32[i] = float32(v)
		}
		for i, v := range c.B {
			b32[i] = float32(v)
		}
		cols := HedgesGColumns(a32, c.NA, b32, c.NB, c.N)
		for j := range c.N {
			want := float64(c.G[j])
			got := HedgesG(column(c.A, c.NA, c.N, j), column(c.B, c.NB, c.N, j))
			if !approx(got, want, 1e-9) || !approx(cols[j], want, 1e-9) {
				t.Errorf("%s col %d: HedgesG %v, columns %v; statsmodels %v", c.Name, j, got, cols[j], want)
			}
			if tt := float64(c.Student.T[j]); tt != 0 && math.Signbit(tt) != math.Signbit(got) {
				t.Errorf("%s col %d: g %v and t %v differ in sign", c.Name, j, got, tt)
			}
		}
	}
}

func TestHedgesGDegenerate(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name string
		a, b []float64
		want float64
	}{
		{"equal constants", []float64{2, 2}, []float64{2, 2, 2}, 0},
		{"shifted constants", []float64{1, 1}, []float64{2, 2}, math.Inf(-1)},
		{"NaN sample", []float64{1, nan}, []float64{2, 3}, nan},
		{"group of one", []float64{1}, []float64{2, 3}, nan},
		// n = 4: J = 1 − 3/7; s_p = 1/√2 (variances 1/2 and 1/2); d = −2.
		{"closed form", []float64{0, 1}, []float64{2, 3}, (1 - 3.0/7) * -2 * math.Sqrt2},
	} {
		if got := HedgesG(c.a, c.b); !approx(got, c.want, 1e-12) {
			t.Errorf("%s: g = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPercentileGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Percentile) == 0 {
		t.Fatal("no percentile cases")
	}
	for _, c := range g.Percentile {
		for i, q := range c.Q {
			if got := Percentile(c.X, q); !approx(got, c.Want[i], 1e-12) && math.Abs(got-c.Want[i]) > 1e-15 {
				t.Errorf("%s: Percentile(q=%g) = %v, numpy %v", c.Name, q, got, c.Want[i])
			}
		}
	}
	if !math.IsNaN(Percentile(nil, 0.5)) {
		t.Error("Percentile of nothing is not NaN")
	}
}

// The bootstrap, fed numpy's resample indices, gives numpy's interval.
func TestBootstrapGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Bootstrap) == 0 {
		t.Fatal("no bootstrap cases")
	}
	for _, c := range g.Bootstrap {
		next := 0
		draw := func(n int) int {
			if n != len(c.X) {
				t.Fatalf("draw(%d), want draw(%d)", n, len(c.X))
			}
			i := c.Indices[next]
			next++
			return i
		}
		got := BootstrapMeanCI(c.X, 0.95, c.Resamples, draw)
		if next != len(c.Indices) {
			t.Errorf("%s: %d indices drawn, numpy drew %d", c.Name, next, len(c.Indices))
		}
		for k := range 2 {
			if !approx(got[k], c.CI[k], 1e-12) {
				t.Errorf("%s: interval %v, numpy %v", c.Name, got, c.CI)
			}
		}
	}
	if ci := BootstrapMeanCI(nil, 0.95, 10, nil); !math.IsNaN(ci[0]) || !math.IsNaN(ci[1]) {
		t.Errorf("bootstrap of nothing: %v", ci)
	}
}
