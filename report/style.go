package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI is the resolution of PNG figures: a 12 × 4 in figure is 1800 × 600 pixels.
const pngDPI = 150

// The notebook's colours (matplotlib RGB fractions).
var (
	black    = color.Black
	white    = color.White
	grey     = rgb(.45, .45, .45, 1)
	lightGry = rgb(.85, .85, .85, 1)
	// Words in logit order: the first word's bars are magenta, the second's cyan; bars at the
	// second mask position are the lighter shade.
	wordColors = [2][2]color.Color{
		{rgb(.9, .3, .9, 1), rgb(.3, .9, .9, 1)},
		{rgb(.9, .7, .9, 1), rgb(.7, .9, .9, 1)},
	}
	// Classes of units: group A (t > 0), group B (t < 0), non-significant. Scatter points are
	// the stronger shade, pie wedges the notebook's pastel one.
	classPoint = [3]color.Color{rgb(.2, .65, .2, 1), rgb(.85, .2, .2, 1), rgb(.6, .6, .6, 1)}
	classWedge = [3]color.Color{rgb(.7, .9, .7, 1), rgb(.9, .7, .7, 1), lightGry}
	// Part 3's markers: circles for B > A, squares for A > B.
	pctFace = [2]color.Color{rgb(.9, .9, .7, .7), rgb(.7, .7, .9, .7)}
	// matplotlib's first two cycle colours (C0, C1), for the two impact lines.
	cycle     = [2]color.Color{color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}}
	hexFace   = rgb(.9, .7, .7, 1)
	deltaFace = rgb(.7, .9, .9, .6)
)

// rgb converts matplotlib's RGBA fractions (alpha not premultiplied) to a colour.
func rgb(r, g, b, a float64) color.Color {
	return color.NRGBA{uint8(math.Round(255 * r)), uint8(math.Round(255 * g)), uint8(math.Round(255 * b)), uint8(math.Round(255 * a))}
}

// sans returns the Liberation Sans font (matplotlib draws in a sans-serif face) at size points.
func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle is a plain-text style in Liberation Sans.
func textStyle(size vg.Length, bold bool, clr color.Color, x draw.XAlignment, y draw.YAlignment) text.Style {
	return text.Style{Color: clr, Font: sans(size, bold), XAlign: x, YAlign: y, Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot in the notebook's style: sans-serif text, bold title and axis labels.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(12, true)
	p.Title.Padding = 6
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(10, true)
		a.Tick.Label.Font = sans(9, false)
		a.Padding = 4
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.TextStyle.Font = sans(9, false)
	p.Legend.Top = true
	p.Legend.Padding = 4
	p.Legend.ThumbnailWidth = 22
	return p
}

// figure is one image file: a size in inches and a function that draws its panels.
type figure struct {
	name   string // file name without extension
	header string // bold line at the top
	w, h   vg.Length
	draw   func(c draw.Canvas)
}

// renderFigure draws fig, with the subtitle line under its header, in format ("png" or "svg").
func renderFigure(fig figure, subtitle, format string) (out []byte, err error) {
	// gonum/plot panics on some degenerate inputs; a figure must fail as an error.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("drawing %s: %v", fig.name, r)
		}
	}()
	var (
		canvas vg.CanvasWriterTo
		size   vg.CanvasSizer
	)
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(fig.w, fig.h), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(white))
		canvas, size = vgimg.PngCanvas{Canvas: c}, c
	case "svg":
		c := vgsvg.New(fig.w, fig.h)
		canvas, size = c, c
	default:
		return nil, fmt.Errorf("unknown figure format %q (want png or svg)", format)
	}
	dc := draw.New(size)
	dc.SetColor(white)
	dc.Fill(dc.Rectangle.Path())
	const margin = 6
	dc = draw.Crop(dc, margin, -margin, margin, -margin)
	width := dc.Max.X - dc.Min.X
	head := fitText(textStyle(12, true, black, draw.XLeft, draw.YTop), fig.header, width)
	sub := fitText(textStyle(9, false, grey, draw.XLeft, draw.YTop), subtitle, width)
	top := dc.Max.Y
	dc.FillText(head, vg.Point{X: dc.Min.X, Y: top}, fig.header)
	top -= head.Height(fig.header)
	dc.FillText(sub, vg.Point{X: dc.Min.X, Y: top}, subtitle)
	top -= sub.Height(subtitle) + 8
	fig.draw(draw.Crop(dc, 0, 0, 0, top-dc.Max.Y))
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encoding %s.%s: %w", fig.name, format, err)
	}
	if format == "svg" {
		// Liberation Sans is metric-compatible with Arial: name fallbacks for viewers without it.
		return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"),
			[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
	}
	return buf.Bytes(), nil
}

// legendEntry is one entry of a legend row: a name and the thumbnails of its plotters.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// legendRow draws entries side by side, centred at the top of c, and returns c below the row.
// It is a figure legend shared by several panels.
func legendRow(c draw.Canvas, entries []legendEntry) draw.Canvas {
	sty := textStyle(9, false, black, draw.XLeft, draw.YCenter)
	const thumbW, gap, pad = 24, 18, 4
	rowH := sty.Height("Mg") * 1.6
	var total vg.Length
	for i, e := range entries {
		total += thumbW + pad + sty.Width(e.name)
		if i > 0 {
			total += gap
		}
	}
	x := (c.Min.X+c.Max.X)/2 - total/2
	y := c.Max.Y - rowH/2
	for _, e := range entries {
		box := draw.Crop(c, x-c.Min.X, x+thumbW-c.Max.X, y-rowH/2-c.Min.Y, y+rowH/2-c.Max.Y)
		for _, t := range e.thumbs {
			t.Thumbnail(&box)
		}
		c.FillText(sty, vg.Point{X: x + thumbW + pad, Y: y}, e.name)
		x += thumbW + pad + sty.Width(e.name) + gap
	}
	return draw.Crop(c, 0, 0, 0, -rowH)
}

// fitText shrinks sty's font (down to 6 points) until txt fits in width.
func fitText(sty text.Style, txt string, width vg.Length) text.Style {
	for sty.Font.Size > 6 && sty.Width(txt) > width {
		sty.Font.Size -= 0.5
	}
	return sty
}

// columns splits c into side-by-side panels whose widths are in the given proportions,
// separated by gap.
func columns(c draw.Canvas, gap vg.Length, weights ...float64) []draw.Canvas {
	var total float64
	for _, w := range weights {
		total += w
	}
	avail := c.Max.X - c.Min.X - gap*vg.Length(len(weights)-1)
	out := make([]draw.Canvas, len(weights))
	x := c.Min.X
	for i, w := range weights {
		width := avail * vg.Length(w/total)
		out[i] = draw.Crop(c, x-c.Min.X, x+width-c.Max.X, 0, 0)
		x += width + gap
	}
	return out
}

// marker is a glyph filled with face and outlined in the glyph style's colour, like
// matplotlib's markers with markerfacecolor and a black edge.
type marker struct {
	face  color.Color
	sides int // 0: circle, 4: square, 6: hexagon
}

// DrawGlyph implements draw.GlyphDrawer.
func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	r := sty.Radius
	switch m.sides {
	case 0:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	case 4:
		r *= 0.9 // a square of the circle's area reads as the same size
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X - r, Y: pt.Y + r})
	default:
		for i := range m.sides {
			a := math.Pi/2 + 2*math.Pi*float64(i)/float64(m.sides)
			q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
			if i == 0 {
				p.Move(q)
			} else {
				p.Line(q)
			}
		}
	}
	p.Close()
	c.SetColor(m.face)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: 0.8})
	c.Stroke(p)
}

// finite returns the points (xs[i], ys[i]) whose coordinates are both finite: t is ±Inf for a
// unit that is constant within each group, and a plot cannot place it.
func finite(xs, ys []float64) plotter.XYs {
	xy := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if !math.IsInf(xs[i], 0) && !math.IsNaN(xs[i]) && !math.IsInf(ys[i], 0) && !math.IsNaN(ys[i]) {
			xy = append(xy, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	return xy
}

// points is a scatter of the finite points; face nil draws plain dots of colour clr, else
// markers of the given sides filled with face and edged in clr.
func points(xs, ys []float64, clr, face color.Color, sides int, radius vg.Length) *plotter.Scatter {
	s, _ := plotter.NewScatter(finite(xs, ys)) // fails only on non-finite values
	s.GlyphStyle = draw.GlyphStyle{Color: clr, Radius: radius, Shape: draw.CircleGlyph{}}
	if face != nil {
		s.GlyphStyle.Shape = marker{face: face, sides: sides}
	}
	return s
}

// line is a polyline through the finite points.
func line(xs, ys []float64, clr color.Color, width vg.Length) *plotter.Line {
	l, _ := plotter.NewLine(finite(xs, ys)) // fails only on non-finite values
	l.LineStyle = draw.LineStyle{Color: clr, Width: width}
	return l
}

// hline is a horizontal line at y across the whole plot, like matplotlib's axhline.
type hline struct {
	y     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	y := ty(h.y)
	c.StrokeLines(h.style, c.ClipLinesY([]vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})...)
}

// diagonal is the identity line y = x across the plot.
type diagonal struct{ style draw.LineStyle }

// Plot implements plot.Plotter.
func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo, hi := math.Max(p.X.Min, p.Y.Min), math.Min(p.X.Max, p.Y.Max)
	if lo >= hi {
		return
	}
	tx, ty := p.Transforms(&c)
	c.StrokeLines(d.style, []vg.Point{{X: tx(lo), Y: ty(lo)}, {X: tx(hi), Y: ty(hi)}})
}

// bars are bars of a given width at explicit positions, each with its own fill and a black
// edge (matplotlib's bar with lists of facecolors).
type bars struct {
	x, y   []float64
	fill   []color.Color
	width  float64
	edgeLS draw.LineStyle
}

func newBars(width float64) *bars {
	return &bars{width: width, edgeLS: draw.LineStyle{Color: black, Width: 0.8}}
}

func (b *bars) add(x, y float64, fill color.Color) {
	b.x, b.y, b.fill = append(b.x, x), append(b.y, y), append(b.fill, fill)
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for i := range b.x {
		x0, x1 := tx(b.x[i]-b.width/2), tx(b.x[i]+b.width/2)
		y0, y1 := ty(0), ty(b.y[i])
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}}
		c.FillPolygon(b.fill[i], c.ClipPolygonXY(pts))
		c.StrokeLines(b.edgeLS, c.ClipLinesXY(pts)...)
	}
}

// DataRange implements plot.DataRanger; the range always includes 0, the bars' base.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), 0, 0
	for i := range b.x {
		xmin, xmax = math.Min(xmin, b.x[i]-b.width/2), math.Max(xmax, b.x[i]+b.width/2)
		ymin, ymax = math.Min(ymin, b.y[i]), math.Max(ymax, b.y[i])
	}
	return xmin, xmax, ymin, ymax
}

// integerTicks labels whole numbers (layers) at a step that keeps about ten labels.
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100} {
		step = s
		if (last-first)/s <= 12 {
			break
		}
	}
	var ticks []plot.Tick
	for v := first; v <= last; v++ {
		t := plot.Tick{Value: float64(v)}
		if v%step == 0 {
			t.Label = strconv.Itoa(v)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceTicks places about five to seven ticks at 1, 2, 2.5 or 5 times a power of ten, like
// matplotlib's default locator.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/6)))
	step, decimals := 10*mag, 0
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step = m * mag
		if span/step <= 7 {
			decimals = max(0, -int(math.Floor(math.Log10(step)+1e-9)))
			if m == 2.5 {
				decimals++
			}
			break
		}
	}
	var ticks []plot.Tick
	for i := int(math.Ceil(lo/step - 1e-9)); float64(i)*step <= hi+step*1e-9; i++ {
		v := float64(i) * step
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ticks
}

// margins widens an axis by a fraction of its range at both ends (matplotlib's default 5%
// margins), so that markers at the extremes are not cut by the axes. An end at exactly 0 stays,
// as matplotlib keeps the base of bars on the axis.
func margins(a *plot.Axis, frac float64) {
	r := a.Max - a.Min
	if !(r > 0) || math.IsInf(r, 0) {
		return
	}
	if a.Min != 0 {
		a.Min -= frac * r
	}
	if a.Max != 0 {
		a.Max += frac * r
	}
}

// headroom raises the top of the y axis by a fraction of its range, so that a legend in the
// top corner does not cover data.
func headroom(p *plot.Plot, frac float64) {
	if r := p.Y.Max - p.Y.Min; r > 0 && !math.IsInf(r, 0) {
		p.Y.Max += frac * r
	}
}

// layerAxis sets the x axis to layers 0..n-1 with half a layer of margin.
func layerAxis(p *plot.Plot, n int) {
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.X.Tick.Marker = integerTicks{}
}
