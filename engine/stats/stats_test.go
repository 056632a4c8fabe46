package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
)

// num is a golden float: a JSON number or one of "inf", "-inf", "nan".
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		switch s {
		case "inf":
			*n = num(math.Inf(1))
		case "-inf":
			*n = num(math.Inf(-1))
		case "nan":
			*n = num(math.NaN())
		default:
			return fmt.Errorf("bad number %q", s)
		}
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = num(f)
	return err
}

type goldenResult struct{ T, P, DF []num }

type golden struct {
	TTest []struct {
		Name           string
		NA, NB, N      int
		A, B           []float64
		Student, Welch goldenResult
		G              []num
	}
	Tail       []struct{ T, DF, P float64 }
	Percentile []struct {
		Name       string
		X, Q, Want []float64
	}
	Bootstrap []struct {
		Name      string
		X         []float64
		Indices   []int
		Resamples int
		CI        [2]float64
	}
	Adjust []struct {
		Name              string
		P, BH, Bonferroni []num
		BHStatsmodels     []num `json:"bh_statsmodels"`
	}
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.TTest) == 0 || len(g.Adjust) == 0 {
		t.Fatal("golden.json has no cases")
	}
	return g
}

// approx reports whether got matches want to relative tolerance rel; infinities and NaN must match exactly.
func approx(got, want, rel float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return got == want || math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// closeP compares p-values relatively, with an absolute floor below 1e-300.
func closeP(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= 1e-6*math.Abs(want)+1e-300
}

func column(x []float64, rows, n, j int) []float64 {
	c := make([]float64, rows)
	for i := range rows {
		c[i] = x[i*n+j]
	}
	return c
}

func TestTTestGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.TTest {
		a32, b32 := make([]float32, len(c.A)), make([]float32, len(c.B))
		for i, v := range c.A {
			a32[i] = float32(v)
		}
		for i, v := range c.B {
			b32[i] = float32(v)
		}
		for _, k := range []struct {
			kind Kind
			want goldenResult
		}{{Student, c.Student}, {Welch, c.Welch}} {
			ct, cp := TTestColumns(a32, c.NA, b32, c.NB, c.N, k.kind)
			for j := range c.N {
				wt, wp, wdf := float64(k.want.T[j]), float64(k.want.P[j]), float64(k.want.DF[j])
				tt, p, df := TTest(column(c.A, c.NA, c.N, j), column(c.B, c.NB, c.N, j), k.kind)
				if !approx(tt, wt, 1e-9) || !closeP(p, wp) || !approx(df, wdf, 1e-9) {
					t.Errorf("%s %v col %d: TTest = t %v p %v df %v, want t %v p %v df %v",
						c.Name, k.kind, j, tt, p, df, wt, wp, wdf)
				}
				if !approx(ct[j], wt, 1e-9) || !closeP(cp[j], wp) {
					t.Errorf("%s %v col %d: TTestColumns = t %v p %v, want t %v p %v",
						c.Name, k.kind, j, ct[j], cp[j], wt, wp)
				}
			}
		}
	}
}

// TestTinyP checks that the golden set reaches far into the tail, so TestTTestGolden covers it.
func TestTinyP(t *testing.T) {
	g := loadGolden(t)
	smallest := 1.0
	for _, c := range g.TTest {
		for _, p := range c.Student.P {
			if p > 0 && float64(p) < smallest {
				smallest = float64(p)
			}
		}
	}
	if smallest > 1e-100 {
		t.Errorf("smallest nonzero golden p = %g, want below 1e-100", smallest)
	}
}

// TestTailMpmath checks TwoSidedP against 50-digit values from p ≈ 1 down to p ≈ 1e-300.
func TestTailMpmath(t *testing.T) {
	g := loadGolden(t)
	if len(g.Tail) < 50 {
		t.Fatalf("golden tail has %d rows", len(g.Tail))
	}
	for _, r := range g.Tail {
		if p := TwoSidedP(r.T, r.DF); !approx(p, r.P, 1e-9) {
			t.Errorf("TwoSidedP(%g, %g) = %g, want %g (rel err %.2g)", r.T, r.DF, p, r.P, math.Abs(p-r.P)/r.P)
		}
	}
}

func TestAdjustGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Adjust {
		p := make([]float64, len(c.P))
		for i, v := range c.P {
			p[i] = float64(v)
		}
		bh, bonf := Adjust(p, BenjaminiHochberg), Adjust(p, Bonferroni)
		for i := range p {
			if !approx(bh[i], float64(c.BH[i]), 1e-12) || !approx(bh[i], float64(c.BHStatsmodels[i]), 1e-12) {
				t.Errorf("%s [%d]: BH = %v, want %v (scipy) / %v (statsmodels)", c.Name, i, bh[i], c.BH[i], c.BHStatsmodels[i])
			}
			if !approx(bonf[i], float64(c.Bonferroni[i]), 1e-12) {
				t.Errorf("%s [%d]: Bonferroni = %v, want %v", c.Name, i, bonf[i], c.Bonferroni[i])
			}
		}
	}
}

func TestAdjustNaNAndEmpty(t *testing.T) {
	nan := math.NaN()
	got := Adjust([]float64{0.01, nan, 0.04}, BenjaminiHochberg)
	want := []float64{0.02, nan, 0.04} // m = 2: 0.01·2/1, 0.04·2/2
	for i := range want {
		if !approx(got[i], want[i], 1e-15) {
			t.Errorf("BH with NaN [%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got := Adjust([]float64{0.01, nan, 0.6}, Bonferroni); got[0] != 0.02 || !math.IsNaN(got[1]) || got[2] != 1 {
		t.Errorf("Bonferroni with NaN = %v", got)
	}
	if got := Adjust(nil, BenjaminiHochberg); len(got) != 0 {
		t.Errorf("Adjust(nil) = %v", got)
	}
}

func TestDegenerate(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name     string
		a, b     []float64
		kind     Kind
		t, p, df float64
	}{
		{"equal constants", []float64{2, 2, 2}, []float64{2, 2}, Student, 0, 1, 3},
		{"equal constants welch", []float64{2, 2, 2}, []float64{2, 2}, Welch, 0, 1, nan},
		{"shifted constants", []float64{3, 3}, []float64{2, 2, 2}, Student, math.Inf(1), 0, 3},
		{"shifted constants welch", []float64{1, 1}, []float64{2, 2, 2}, Welch, math.Inf(-1), 0, nan},
		{"NaN sample", []float64{1, nan, 3}, []float64{2, 2, 4}, Student, nan, nan, nan},
		{"group of one", []float64{1}, []float64{2, 3, 4}, Student, nan, nan, nan},
		{"empty group", nil, []float64{2, 3}, Welch, nan, nan, nan},
		// Welch with one constant group: df = nb−1, t = (ma−mb)/sqrt(vb/nb).
		{"welch one constant", []float64{1, 1, 1}, []float64{0, 2, 4}, Welch, -1 / math.Sqrt(4.0/3), 0.4777670321329065, 2}, // scipy; closed form 1 − |t|/sqrt(2+t²)
	}
	for _, c := range cases {
		tt, p, df := TTest(c.a, c.b, c.kind)
		if !approx(tt, c.t, 1e-12) || !approx(p, c.p, 1e-12) || !approx(df, c.df, 1e-12) {
			t.Errorf("%s: got t %v p %v df %v, want t %v p %v df %v", c.name, tt, p, df, c.t, c.p, c.df)
		}
	}
}

func TestTTestColumnsNaNAndPanics(t *testing.T) {
	a := []float32{1, float32(math.NaN()), 2, 5}
	b := []float32{0, 1, 1, 2}
	tt, p := TTestColumns(a, 2, b, 2, 2, Student)
	if math.IsNaN(tt[0]) || !math.IsNaN(tt[1]) || !math.IsNaN(p[1]) {
		t.Errorf("NaN column: t %v p %v, want column 1 NaN only", tt, p)
	}
	defer func() {
		if recover() == nil {
			t.Error("TTestColumns with a mismatched shape did not panic")
		}
	}()
	TTestColumns(a, 3, b, 2, 2, Student)
}

func TestTwoSidedPSymmetric(t *testing.T) {
	for _, tv := range []float64{0.3, 2, 40} {
		if TwoSidedP(tv, 10) != TwoSidedP(-tv, 10) {
			t.Errorf("TwoSidedP(±%v, 10) differ", tv)
		}
	}
	if TwoSidedP(0, 5) != 1 || TwoSidedP(math.Inf(-1), 5) != 0 || !math.IsNaN(TwoSidedP(1, 0)) {
		t.Error("TwoSidedP edge values wrong")
	}
}

// BenchmarkTTestColumns measures one study layer: 54 vs 54 sentences × 4096 neurons (bert-large).
func BenchmarkTTestColumns(b *testing.B) {
	const na, nb, n = 54, 54, 4096
	x := make([]float32, (na+nb)*n)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.37))
	}
	for b.Loop() {
		TTestColumns(x[:na*n], na, x[na*n:], nb, n, Student)
	}
}
