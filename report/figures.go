package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"lesionui/engine"
)

// study is what the figures and tables are drawn from.
type study struct {
	s           *engine.Study
	res         *engine.Results
	sweeps      [][]engine.LesionResult // [mode][layer], modes in engine.Modes order
	most, least []engine.LesionResult   // the sweeps of the two modes
	layer       int                     // the layer of Parts 2 and 5
	model       string                  // the model as headers name it ("demo model" for the demo)
}

// layerName names the layer of Parts 2 and 5 for people: "layer 3", or "repetition 3 of the
// shared layer" for a model whose one layer runs several times (ALBERT).
func (d *study) layerName() string { return d.s.Model.Arch.LayerLabel(d.layer) }

// layerAxis labels an axis over the study's layers: the notebook's "Transformer block", or the
// repetitions of a shared layer.
func (d *study) layerAxis() string {
	if d.s.Model.Arch.SharedLayer {
		return "Repetition of the shared layer"
	}
	return "Transformer block"
}

// groups returns the group words A and B ("him", "her").
func (d *study) groups() [2]string { return [2]string{d.s.Set.A.Word, d.s.Set.B.Word} }

// figures returns every figure of the report.
func (d *study) figures() []figure {
	figs := []figure{
		d.part2(), d.part3(), d.part4(), d.part5(),
		d.laminar("part6_laminar_most", "Part 6 · laminar lesions of the most-tuned units", d.most),
		d.laminar("part7_laminar_least", "Part 7 · laminar lesions of the least-tuned units (control)", d.least),
		d.part7Compare(),
	}
	figs = append(figs, d.designFigures()...)
	for i := range figs {
		figs[i].header += " — " + d.model
	}
	return figs
}

// tPoints splits a layer's units by class into (unit, t) points, counting the units of each
// class and those whose t cannot be drawn (±Inf for units constant within each group, NaN for
// units constant overall under Welch's test).
func tPoints(lt engine.LayerTest) (xs, ys [3][]float64, counts [3]float64, hidden int) {
	cls := lt.Classes()
	for u, t := range lt.T {
		c := cls[u]
		counts[c]++
		if math.IsInf(t, 0) || math.IsNaN(t) {
			hidden++
			continue
		}
		xs[c], ys[c] = append(xs[c], float64(u)), append(ys[c], t)
	}
	return xs, ys, counts, hidden
}

// part2 is the t-value of every unit of the layer by class, and the pie of the classes.
func (d *study) part2() figure {
	lt := d.s.Layers[d.layer]
	g := d.groups()
	xs, ys, counts, hidden := tPoints(lt)
	title := fmt.Sprintf("%d %q neurons and %d %q neurons", len(lt.A), g[0], len(lt.B), g[1])
	xlabel := "MLP expansion neurons"
	if hidden > 0 {
		xlabel += fmt.Sprintf(" (%d with non-finite t not shown)", hidden)
	}
	sc := newPlot(title, xlabel, "T-value")
	names := [3]string{fmt.Sprintf("%s > %s", g[0], g[1]), fmt.Sprintf("%s > %s", g[1], g[0]), "Non-sig."}
	for _, c := range []engine.Class{engine.NotSignificant, engine.PrefersA, engine.PrefersB} {
		pts := points(xs[c], ys[c], classPoint[c], nil, 0, 2)
		sc.Add(pts)
		sc.Legend.Add(names[c], pts)
	}
	sc.Add(hline{0, draw.LineStyle{Color: lightGry, Width: 0.5}})
	sc.X.Min, sc.X.Max = -1, float64(len(lt.T))
	margins(&sc.Y, 0.05)
	headroom(sc, 0.15)

	pp := newPlot(fmt.Sprintf("Classes of the %d units", len(lt.T)), "", "")
	pp.HideAxes()
	pp.Add(pie{
		values: counts[:],
		labels: []string{fmt.Sprintf("%q significant", g[0]), fmt.Sprintf("%q significant", g[1]), "Non-significant"},
		colors: classWedge[:],
	})
	return figure{
		name:   fmt.Sprintf("part2_tvalues_layer%d", d.layer),
		header: fmt.Sprintf("Part 2 · t-tests of the MLP expansion units in %s", d.layerName()),
		w:      12 * vg.Inch, h: 4.6 * vg.Inch,
		draw: func(c draw.Canvas) {
			cols := columns(c, 12, 2, 1)
			sc.Draw(cols[0])
			pp.Draw(cols[1])
		},
	}
}

// part3 is the percentage of significant units per layer in each direction.
func (d *study) part3() figure {
	g := d.groups()
	p := newPlot("Significant units per layer", d.layerAxis(), "% sig. t-values")
	n := len(d.s.Layers)
	var x, pctA, pctB []float64
	for l, lt := range d.s.Layers {
		units := float64(len(lt.T))
		x = append(x, float64(l))
		pctA = append(pctA, 100*float64(len(lt.A))/units)
		pctB = append(pctB, 100*float64(len(lt.B))/units)
	}
	circles := points(x, pctB, black, pctFace[0], 0, 6)
	squares := points(x, pctA, black, pctFace[1], 4, 6)
	p.Add(circles, squares)
	p.Legend.Add(fmt.Sprintf("%s > %s", g[1], g[0]), circles)
	p.Legend.Add(fmt.Sprintf("%s > %s", g[0], g[1]), squares)
	layerAxis(p, n)
	zeroFloor(p)
	headroom(p, 0.15)
	return figure{
		name:   "part3_significant_per_layer",
		header: "Part 3 · significant t-tests in every layer",
		w:      10 * vg.Inch, h: 3.6 * vg.Inch,
		draw: p.Draw,
	}
}

// Bar layout of Parts 4 and 5: text i is centred at 1.5i + .25; its first mask position's two
// bars (one per word) at 1.5i ± .1, the second position's at 1.5i + .5 ± .1.
const (
	textStep = 1.5
	posStep  = 0.5
	barOff   = 0.1
	barWidth = 0.2
)

// logitBars adds the bars of a [text][position][word] table to p, labels the x axis with words
// and positions like the notebook's tick labels, and returns the function that draws p with
// each text's name, bold and bracketed, under its bars.
func (d *study) logitBars(p *plot.Plot, l engine.Logits) func(draw.Canvas) {
	w := d.s.Targets.Words
	b := newBars(barWidth)
	var ticks []plot.Tick
	names := [3]string{"Clean sentence", strings.ToUpper(w[0]) + " mask sentence", strings.ToUpper(w[1]) + " mask sentence"}
	for t := range 3 {
		base := textStep * float64(t)
		for pos := range 2 {
			x := base + posStep*float64(pos)
			for k := range 2 {
				bx := x + barOff*float64(2*k-1)
				b.add(bx, l[t][pos][k], wordColors[pos][k])
				ticks = append(ticks, plot.Tick{Value: bx, Label: w[k]})
			}
			ticks = append(ticks, plot.Tick{Value: x, Label: "\n" + w[pos] + " position"})
		}
	}
	p.Add(b, hline{0, draw.LineStyle{Color: black, Width: 0.4}})
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Length = 0
	p.X.Tick.Label.Font = sans(8, false)
	p.X.Min, p.X.Max = -0.35, textStep*2+posStep+0.35
	margins(&p.Y, 0.05)
	// The axis label only reserves the row the sentence names are drawn in.
	p.X.Label.Text = names[0]
	p.X.Label.TextStyle.Color = color.Transparent
	p.X.Label.Padding = 8
	return func(c draw.Canvas) {
		p.Draw(c)
		dc := p.DataCanvas(c)
		sty := p.X.Label.TextStyle
		sty.Color = black
		y := c.Min.Y + sty.FontExtents().Descent
		by := c.Min.Y + sty.Height(names[0]) + p.X.Label.Padding/2
		edge := draw.LineStyle{Color: black, Width: 0.6}
		for t, name := range names {
			base := textStep * float64(t)
			x0 := dc.X(p.X.Norm(base - barOff - barWidth/2))
			x1 := dc.X(p.X.Norm(base + posStep + barOff + barWidth/2))
			c.StrokeLines(edge, []vg.Point{{X: x0, Y: by + 3}, {X: x0, Y: by}, {X: x1, Y: by}, {X: x1, Y: by + 3}})
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: y}, name)
		}
	}
}

// part4 is the clean model's target logits.
func (d *study) part4() figure {
	w := d.s.Targets.Words
	p := newPlot(fmt.Sprintf("Clean model: %q and %q logits at each mask", w[0], w[1]), "", "Logits")
	return figure{
		name:   "part4_clean_logits",
		header: "Part 4 · word predictions on the test sentences",
		w:      10 * vg.Inch, h: 4.6 * vg.Inch,
		draw: d.logitBars(p, d.s.Clean),
	}
}

// part5 is the lesion of the layer's most-tuned units: the logit changes, and ablated
// against clean logits.
func (d *study) part5() figure {
	r := d.most[d.layer]
	left := newPlot(fmt.Sprintf("A) Clean − ablated logits (ablation in %s)", d.layerName()), "", "Δ logits")
	drawLeft := d.logitBars(left, r.Delta)

	right := newPlot("B) Clean vs. ablated model logits", "Clean logits", "Ablation logits")
	var clean, ablated []float64
	for t := range 3 {
		for pos := range 2 {
			for k := range 2 {
				clean = append(clean, d.s.Clean[t][pos][k])
				ablated = append(ablated, r.Ablated[t][pos][k])
			}
		}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Width, grid.Horizontal.Width = 0.4, 0.4
	right.Add(grid, diagonal{draw.LineStyle{Color: grey, Width: 0.6, Dashes: []vg.Length{3, 3}}},
		points(clean, ablated, black, deltaFace, 0, 5))
	// One range for both axes, so that unchanged logits lie on the 45° diagonal.
	right.X.Min = math.Min(right.X.Min, right.Y.Min)
	right.X.Max = math.Max(right.X.Max, right.Y.Max)
	margins(&right.X, 0.05)
	right.Y.Min, right.Y.Max = right.X.Min, right.X.Max
	return figure{
		name:   fmt.Sprintf("part5_ablation_layer%d", d.layer),
		header: fmt.Sprintf("Part 5 · lesioning the most-tuned units of %s at the masks", d.layerName()),
		w:      13 * vg.Inch, h: 5 * vg.Inch,
		draw: func(c draw.Canvas) {
			cols := columns(c, 16, 2, 1)
			drawLeft(cols[0])
			right.Draw(cols[1])
		},
	}
}

// sweepSeries returns the per-layer x, magnitude and the two words' impacts of a sweep.
func sweepSeries(rs []engine.LesionResult) (x, mag []float64, impact [2][]float64) {
	for _, r := range rs {
		x = append(x, float64(r.Layer))
		mag = append(mag, r.Magnitude)
		for k := range 2 {
			impact[k] = append(impact[k], r.Impact[k])
		}
	}
	return x, mag, impact
}

// laminar is Part 6's figure for one sweep: the magnitude of the change per layer, and each
// word's signed impact per layer.
func (d *study) laminar(name, header string, rs []engine.LesionResult) figure {
	w := d.s.Targets.Words
	x, mag, impact := sweepSeries(rs)
	a := newPlot("A) Overall impact of manipulation on target logits", d.layerAxis(), "Magnitude change in logits")
	a.Add(points(x, mag, black, hexFace, 6, 7))
	layerAxis(a, len(rs))
	zeroFloor(a)
	headroom(a, 0.05)

	b := newPlot("B) Clean − ablated target Δ logits", d.layerAxis(), "Signed change in logits")
	b.Add(hline{0, draw.LineStyle{Color: black, Width: 0.5}})
	for k := range 2 {
		l := line(x, impact[k], cycle[k], 1.5)
		m := points(x, impact[k], cycle[k], nil, 0, 3)
		b.Add(l, m)
		b.Legend.Add(strings.ToUpper(w[k])+" manipulation", l, m)
	}
	layerAxis(b, len(rs))
	margins(&b.Y, 0.05)
	headroom(b, 0.15)
	return figure{
		name: name, header: header,
		w: 12 * vg.Inch, h: 4.4 * vg.Inch,
		draw: func(c draw.Canvas) {
			cols := columns(c, 16, 1, 1)
			a.Draw(cols[0])
			b.Draw(cols[1])
		},
	}
}

// sweepPanel is one panel of a figure that compares the sweeps: a quantity per layer for the
// most- and the least-tuned lesion.
type sweepPanel struct {
	title, ylabel string
	most, least   []float64
}

// sweepPanels returns the layers and the three panels comparing the sweeps: the magnitude and
// each word's impact.
func (d *study) sweepPanels() ([]float64, [3]sweepPanel) {
	w := d.s.Targets.Words
	x, magM, impM := sweepSeries(d.most)
	_, magL, impL := sweepSeries(d.least)
	return x, [3]sweepPanel{
		{"A) Overall impact on target logits", "Magnitude change in logits", magM, magL},
		{fmt.Sprintf("B) %s manipulation", strings.ToUpper(w[0])), fmt.Sprintf("Δ %q logit at the %q mask", w[0], w[0]), impM[0], impL[0]},
		{fmt.Sprintf("C) %s manipulation", strings.ToUpper(w[1])), fmt.Sprintf("Δ %q logit at the %q mask", w[1], w[1]), impM[1], impL[1]},
	}
}

// modeLines adds a panel's two series to p (most-tuned: blue hexagons; least-tuned: grey dashed
// squares) and returns their legend entries.
func modeLines(p *plot.Plot, x []float64, pn sweepPanel) []legendEntry {
	series := []struct {
		name  string
		ys    []float64
		clr   color.Color
		face  color.Color
		sides int
		dash  []vg.Length
	}{
		{"most-tuned units", pn.most, cycle[0], hexFace, 6, nil},
		{"least-tuned units (control)", pn.least, grey, white, 4, []vg.Length{4, 3}},
	}
	var legend []legendEntry
	for _, s := range series {
		l := line(x, s.ys, s.clr, 1.2)
		l.Dashes = s.dash
		m := points(x, s.ys, black, s.face, s.sides, 5)
		p.Add(l, m)
		legend = append(legend, legendEntry{s.name, []plot.Thumbnailer{l, m}})
	}
	return legend
}

// sweepPlot is a panel's plot without data: the zero line under the impacts, layers on x.
func (d *study) sweepPlot(pn sweepPanel, i, layers int) *plot.Plot {
	p := newPlot(pn.title, d.layerAxis(), pn.ylabel)
	if i > 0 {
		p.Add(hline{0, draw.LineStyle{Color: black, Width: 0.5}})
	}
	layerAxis(p, layers)
	return p
}

// scaleSweepPlot fits the y axis of panel i: from 0 for the magnitude, with margins for the impacts.
func scaleSweepPlot(p *plot.Plot, i int) {
	if i == 0 {
		zeroFloor(p)
		headroom(p, 0.05)
	} else {
		margins(&p.Y, 0.05)
	}
}

// panelRow draws plots side by side under a legend row shared by them.
func panelRow(legend []legendEntry, plots []*plot.Plot) func(draw.Canvas) {
	return func(c draw.Canvas) {
		c = legendRow(c, legend)
		weights := make([]float64, len(plots))
		for i := range weights {
			weights[i] = 1
		}
		for i, col := range columns(c, 16, weights...) {
			plots[i].Draw(col)
		}
	}
}

// part7Compare sets the two sweeps side by side: magnitude and each word's impact per layer.
func (d *study) part7Compare() figure {
	x, panels := d.sweepPanels()
	var legend []legendEntry
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := d.sweepPlot(pn, i, len(x))
		legend = modeLines(p, x, pn)
		scaleSweepPlot(p, i)
		plots[i] = p
	}
	return figure{
		name:   "part7_most_vs_least",
		header: "Part 7 · lesions of the most-tuned units against the least-tuned control",
		w:      15 * vg.Inch, h: 4.6 * vg.Inch,
		draw: panelRow(legend, plots),
	}
}

// zeroFloor starts the y axis at 0 (matplotlib's ylim=[0, None]) for non-negative data.
func zeroFloor(p *plot.Plot) {
	p.Y.Min = 0
	if !(p.Y.Max > 0) {
		p.Y.Max = 1
	}
}
