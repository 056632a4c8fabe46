package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pie is a pie chart drawn with vg primitives (gonum/plot has none), as matplotlib's
// ax.pie(values, autopct='%1.1f%%', wedgeprops={'edgecolor':'k'}): wedges counter-clockwise
// from 3 o'clock, percentages inside the wedges. Labels go into a legend under the pie, with
// counts, because significant units are often a sliver whose label would collide.
type pie struct {
	values []float64
	labels []string
	colors []color.Color
}

// minInside is the smallest wedge fraction whose percentage is printed inside it.
const minInside = 0.04

// Plot implements plot.Plotter; it ignores the plot's data coordinates.
func (pc pie) Plot(c draw.Canvas, _ *plot.Plot) {
	var total float64
	for _, v := range pc.values {
		total += v
	}
	legend := textStyle(9, false, black, draw.XLeft, draw.YCenter)
	lineH := legend.Height("Mg") * 1.4
	legendH := lineH * vg.Length(len(pc.values))
	area := draw.Crop(c, 0, 0, legendH+6, 0)
	w, h := area.Max.X-area.Min.X, area.Max.Y-area.Min.Y
	r := 0.47 * min(w, h)
	ctr := area.Center()
	edge := draw.LineStyle{Color: black, Width: 0.8}
	pct := textStyle(9, false, black, draw.XCenter, draw.YCenter)

	if total > 0 && r > 0 {
		a := 0.0
		for i, v := range pc.values {
			if v <= 0 {
				continue
			}
			sweep := 2 * math.Pi * v / total
			var p vg.Path
			if v == total {
				p.Move(vg.Point{X: ctr.X + r, Y: ctr.Y})
				p.Arc(ctr, r, 0, 2*math.Pi)
			} else {
				p.Move(ctr)
				p.Line(vg.Point{X: ctr.X + r*vg.Length(math.Cos(a)), Y: ctr.Y + r*vg.Length(math.Sin(a))})
				p.Arc(ctr, r, a, sweep)
			}
			p.Close()
			c.SetColor(pc.colors[i])
			c.Fill(p)
			c.SetLineStyle(edge)
			c.Stroke(p)
			if v/total >= minInside {
				mid := a + sweep/2
				at := vg.Point{X: ctr.X + 0.6*r*vg.Length(math.Cos(mid)), Y: ctr.Y + 0.6*r*vg.Length(math.Sin(mid))}
				c.FillText(pct, at, fmt.Sprintf("%.1f%%", 100*v/total))
			}
			a += sweep
		}
	}

	// The legend: a swatch and "label: count (percent)" per wedge, centred under the pie.
	entries := make([]string, len(pc.values))
	var widest vg.Length
	for i, v := range pc.values {
		share := 0.0
		if total > 0 {
			share = 100 * v / total
		}
		entries[i] = fmt.Sprintf("%s: %g (%.1f%%)", pc.labels[i], v, share)
		widest = max(widest, legend.Width(entries[i]))
	}
	const swatch = 8
	x := ctr.X - (widest+swatch+4)/2
	y := c.Min.Y + legendH - lineH/2
	for i, e := range entries {
		box := vg.Rectangle{Min: vg.Point{X: x, Y: y - swatch/2}, Max: vg.Point{X: x + swatch, Y: y + swatch/2}}
		c.SetColor(pc.colors[i])
		c.Fill(box.Path())
		c.SetLineStyle(edge)
		c.Stroke(box.Path())
		c.FillText(legend, vg.Point{X: x + swatch + 4, Y: y}, e)
		y -= lineH
	}
}
