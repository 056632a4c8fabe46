package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"lesionui/engine"
)

// The random band's quantiles.
const (
	bandLow, bandHigh = 0.05, 0.95
)

var (
	bandFill   = rgb(.6, .6, .6, .3)
	bandMedian = rgb(.45, .45, .45, 1)
)

// designFigures are the figures beyond the notebook's: the sweep against the random baseline and
// the evaluation set (when the run computed them) and the effect sizes.
func (d *study) designFigures() []figure {
	var figs []figure
	if d.res.Baseline != nil {
		figs = append(figs, d.randomBand())
	}
	if d.res.Evaluation != nil {
		figs = append(figs, d.evalMargins())
	}
	return append(figs, d.effectSizes())
}

// band is the area between lo and hi over x, filled (a shaded interval behind lines).
type band struct {
	x, lo, hi []float64
	fill      color.Color
}

// Plot implements plot.Plotter.
func (b band) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	var pts []vg.Point
	for i := range b.x {
		pts = append(pts, vg.Point{X: tx(b.x[i]), Y: ty(b.lo[i])})
	}
	for i := len(b.x) - 1; i >= 0; i-- {
		pts = append(pts, vg.Point{X: tx(b.x[i]), Y: ty(b.hi[i])})
	}
	if len(pts) > 0 {
		c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
	}
}

// DataRange implements plot.DataRanger.
func (b band) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range b.x {
		xmin, xmax = math.Min(xmin, b.x[i]), math.Max(xmax, b.x[i])
		ymin, ymax = math.Min(ymin, b.lo[i]), math.Max(ymax, b.hi[i])
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer.
func (b band) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.fill, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// intervals are vertical error bars from lo to hi at x, with caps.
type intervals struct {
	x, lo, hi []float64
	style     draw.LineStyle
}

// Plot implements plot.Plotter.
func (iv intervals) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	const capW = 3
	for i := range iv.x {
		x, y0, y1 := tx(iv.x[i]), ty(iv.lo[i]), ty(iv.hi[i])
		c.StrokeLines(iv.style, c.ClipLinesXY([]vg.Point{{X: x, Y: y0}, {X: x, Y: y1}})...)
		for _, y := range []vg.Length{y0, y1} {
			c.StrokeLines(iv.style, c.ClipLinesXY([]vg.Point{{X: x - capW, Y: y}, {X: x + capW, Y: y}})...)
		}
	}
}

// DataRange implements plot.DataRanger.
func (iv intervals) DataRange() (xmin, xmax, ymin, ymax float64) {
	return band{x: iv.x, lo: iv.lo, hi: iv.hi}.DataRange()
}

// Thumbnail implements plot.Thumbnailer.
func (iv intervals) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLines(iv.style, []vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})
}

// randomBand is the laminar sweep of Parts 6 and 7 with the random baseline's 5–95 % band and
// median behind the most- and least-tuned lesions: magnitude and each word's impact per layer.
func (d *study) randomBand() figure {
	bl := d.res.Baseline
	x, panels := d.sweepPanels()
	var lo, med, hi [3][]float64 // magnitude, impact 0, impact 1
	for _, b := range bl {
		for i, q := range []float64{bandLow, 0.5, bandHigh} {
			m, imp := b.Quantile(q)
			dst := [3]*[3][]float64{&lo, &med, &hi}[i]
			dst[0] = append(dst[0], m)
			dst[1] = append(dst[1], imp[0])
			dst[2] = append(dst[2], imp[1])
		}
	}
	var legend []legendEntry
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := d.sweepPlot(pn, i, len(x))
		bnd := band{x: x, lo: lo[i], hi: hi[i], fill: bandFill}
		mid := line(x, med[i], bandMedian, 1)
		mid.Dashes = []vg.Length{1, 2}
		p.Add(bnd, mid)
		legend = append(modeLines(p, x, pn),
			legendEntry{fmt.Sprintf("random units: %d–%d %% of %d draws", int(100*bandLow), int(100*bandHigh), len(bl[0].Draws)), []plot.Thumbnailer{bnd}},
			legendEntry{"random median", []plot.Thumbnailer{mid}})
		scaleSweepPlot(p, i)
		plots[i] = p
	}
	return figure{
		name:   "sweep_random_band",
		header: "Laminar lesions against random units of the same sizes",
		w:      15 * vg.Inch, h: 4.8 * vg.Inch,
		draw: panelRow(legend, plots),
	}
}

// evalMargins is the evaluation set per layer: the mean change of the answer's margin with its
// bootstrap interval, and the two-word accuracy clean and lesioned, for both modes.
func (d *study) evalMargins() figure {
	e := d.res.Evaluation
	n := len(d.s.Layers)
	a := newPlot(fmt.Sprintf("A) Margin change, clean − lesioned (mean of %d items, %.0f %% interval)", len(e.Items), 100*engine.ConfidenceLevel),
		d.layerAxis(), "Δ margin (logit answer − logit other)")
	a.Add(hline{0, draw.LineStyle{Color: black, Width: 0.5}})
	b := newPlot("B) Two-word accuracy", d.layerAxis(), "% items answered right")
	cleanL := hline{100 * e.AccuracyClean, draw.LineStyle{Color: black, Width: 0.8, Dashes: []vg.Length{4, 3}}}
	b.Add(cleanL)
	style := []struct {
		clr, face color.Color
		sides     int
		off       float64
	}{{cycle[0], hexFace, 6, -0.1}, {grey, white, 4, 0.1}}
	var legend []legendEntry
	for i, rs := range d.res.Eval {
		var x, mean, lo, hi, acc []float64
		for _, r := range rs {
			x = append(x, float64(r.Layer)+style[i].off)
			mean, lo, hi = append(mean, r.MarginDelta), append(lo, r.CI[0]), append(hi, r.CI[1])
			acc = append(acc, 100*r.AccuracyLesioned)
		}
		bars := intervals{x: x, lo: lo, hi: hi, style: draw.LineStyle{Color: style[i].clr, Width: 1}}
		pts := points(x, mean, black, style[i].face, style[i].sides, 5)
		a.Add(bars, pts)
		accL, accP := line(x, acc, style[i].clr, 1.2), points(x, acc, black, style[i].face, style[i].sides, 5)
		b.Add(accL, accP)
		legend = append(legend, legendEntry{[]string{"most-tuned units", "least-tuned units (control)"}[i], []plot.Thumbnailer{bars, pts}})
	}
	legend = append(legend, legendEntry{fmt.Sprintf("clean model (%.1f %%)", 100*e.AccuracyClean), []plot.Thumbnailer{lineThumb(cleanL.style)}})
	for _, p := range []*plot.Plot{a, b} {
		layerAxis(p, n)
		margins(&p.Y, 0.05)
		headroom(p, 0.05)
	}
	b.Y.Min, b.Y.Max = math.Min(b.Y.Min, 100*e.AccuracyClean-5), math.Max(b.Y.Max, 100*e.AccuracyClean+5)
	return figure{
		name:   "eval_margin_change",
		header: fmt.Sprintf("Lesions on the evaluation set (%s): each item lesioned at its mask with its answer's units", e.Set.Name),
		w:      13 * vg.Inch, h: 4.8 * vg.Inch,
		draw: func(c draw.Canvas) {
			c = legendRow(c, legend)
			cols := columns(c, 16, 3, 2)
			a.Draw(cols[0])
			b.Draw(cols[1])
		},
	}
}

// lineThumb is a legend thumbnail of a line style.
type lineThumb draw.LineStyle

// Thumbnail implements plot.Thumbnailer.
func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLines(draw.LineStyle(l), []vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})
}

// effectSizes is the distribution of Hedges' g per layer, one box per class of units: those
// significant for group A, the non-significant, those significant for group B.
func (d *study) effectSizes() figure {
	g := d.groups()
	n := len(d.s.Layers)
	p := newPlot("Hedges' g of every unit, per layer and class", d.layerAxis(), fmt.Sprintf("Hedges' g (%s − %s)", g[0], g[1]))
	p.Add(hline{0, draw.LineStyle{Color: black, Width: 0.5}})
	boxW := vg.Length(math.Min(14, 900/float64(4*n)))
	order := []engine.Class{engine.PrefersA, engine.NotSignificant, engine.PrefersB}
	names := [3]string{fmt.Sprintf("%q significant (t > 0)", g[0]), fmt.Sprintf("%q significant (t < 0)", g[1]), "non-significant"}
	hidden := 0
	thumbs := map[engine.Class]plot.Thumbnailer{}
	for l, lt := range d.s.Layers {
		var vals [3]plotter.Values
		cls := lt.Classes()
		for u := range lt.T {
			v := effectSize(lt, u)
			if math.IsInf(v, 0) || math.IsNaN(v) {
				hidden++
				continue
			}
			vals[cls[u]] = append(vals[cls[u]], v)
		}
		for j, c := range order {
			if len(vals[c]) == 0 {
				continue
			}
			bx, err := plotter.NewBoxPlot(boxW, float64(l), vals[c])
			if err != nil {
				continue
			}
			bx.Offset = vg.Length(j-1) * (boxW + 2)
			bx.FillColor = classWedge[c]
			bx.BoxStyle = draw.LineStyle{Color: black, Width: 0.6}
			bx.MedianStyle = draw.LineStyle{Color: black, Width: 1.2}
			bx.WhiskerStyle = draw.LineStyle{Color: black, Width: 0.5}
			bx.GlyphStyle = draw.GlyphStyle{Color: classPoint[c], Radius: 1, Shape: draw.CircleGlyph{}}
			p.Add(bx)
			thumbs[c] = boxThumb{classWedge[c]}
		}
	}
	var legend []legendEntry
	for _, c := range order {
		if t, ok := thumbs[c]; ok {
			legend = append(legend, legendEntry{names[c], []plot.Thumbnailer{t}})
		}
	}
	layerAxis(p, n)
	margins(&p.Y, 0.05)
	if hidden > 0 {
		p.X.Label.Text += fmt.Sprintf(" (%d units with non-finite g not shown)", hidden)
	}
	return figure{
		name:   "effect_sizes",
		header: "Effect sizes of the MLP expansion units, layer by layer",
		w:      14 * vg.Inch, h: 4.8 * vg.Inch,
		draw: panelRow(legend, []*plot.Plot{p}),
	}
}

// boxThumb is a legend thumbnail of a filled box.
type boxThumb struct{ fill color.Color }

// Thumbnail implements plot.Thumbnailer.
func (b boxThumb) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X + 4, Y: c.Min.Y}, {X: c.Max.X - 4, Y: c.Min.Y}, {X: c.Max.X - 4, Y: c.Max.Y}, {X: c.Min.X + 4, Y: c.Max.Y}}
	c.FillPolygon(b.fill, pts)
	c.StrokeLines(draw.LineStyle{Color: black, Width: 0.6}, append(pts, pts[0]))
}
