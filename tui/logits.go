package tui

import (
	"fmt"
	"math"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"lesionui/engine"
)

// logitsPane is Parts 4 and 5: for each test text, the logits of both words at the two
// positions the notebook reads (the her and the him slot), clean and with the selected layer's
// lesion, and Δ = clean − lesioned, drawn as bars on their own scale. All three texts stand side
// by side when they fit, else the one chosen with 1/2/3.
type logitsPane struct{}

// logitCols are the widths of a text column's parts.
type logitCols struct{ pos, word, bar int }

const (
	numW       = 7 // "-123.45"
	deltaW     = 7 // "+12.345"
	columnGap  = 3
	minDeltaW  = 4
	maxDeltaW  = 24
	textsShown = 3
)

func (m *Model) logitCols(w int) logitCols {
	s := m.study()
	c := logitCols{pos: len("at [MASK]")}
	for _, wd := range s.Targets.Words {
		c.pos = max(c.pos, len(`at ""`)+len(wd))
		c.word = max(c.word, len(wd))
	}
	c.bar = min(maxDeltaW, w-c.numbersW())
	if c.bar < minDeltaW {
		c.bar = 0
	}
	return c
}

// numbersW is the width of a logit row without its Δ bar.
func (c logitCols) numbersW() int { return c.pos + 1 + c.word + 1 + numW + 1 + numW + 1 + deltaW + 1 }

// logitTexts are the texts the pane shows at width w: all three if their columns fit with a
// Δ bar, else the chosen one.
func (m *Model) logitTexts(w int) (texts []int, colW int) {
	if colW = (w - (textsShown-1)*columnGap) / textsShown; colW >= m.logitCols(colW).numbersW()+minDeltaW {
		return []int{0, 1, 2}, colW
	}
	return []int{m.text}, w
}

// textName is the short name of test text t.
func (m *Model) textName(t int) string {
	if t == 0 {
		return "clean text"
	}
	return m.study().Targets.Words[t-1] + "-mask text"
}

// posLabel names logit position p in text t: the [MASK] there, or the word that stands there.
func (m *Model) posLabel(t, p int) string {
	if t == p+1 {
		return "at [MASK]"
	}
	return fmt.Sprintf("at %q", m.study().Targets.Words[p])
}

// effect is a lesion as the logit pane draws it: the ablated logits, Δ, and the number of units
// changed at each mask (Masked order).
type effect struct {
	ablated, delta engine.Logits
	units          [2]int
}

// shownKey is the job of the lesion the logit pane shows: the marked layers' together when
// layers are marked, else the selected layer's in the mode shown.
func (m *Model) shownKey() jobKey {
	if m.markedKey() != "" {
		return m.layersKey()
	}
	return m.lesionKey(m.layer, m.mode)
}

// shownLesion is the lesion the logit pane draws, if it is on and computed.
func (m *Model) shownLesion() (effect, bool) {
	if !m.lesionOn {
		return effect{}, false
	}
	k := m.shownKey()
	if k.kind == jobLayers {
		r, ok := m.res.sets[k]
		e := effect{ablated: r.Ablated, delta: r.Delta}
		for _, set := range r.Sets {
			e.units[0] += len(set.Units[0])
			e.units[1] += len(set.Units[1])
		}
		return e, ok
	}
	r, ok := m.res.lesions[k]
	return effect{ablated: r.Ablated, delta: r.Delta, units: [2]int{len(r.Units[0]), len(r.Units[1])}}, ok
}

// layerName names layer l as the model's architecture does: "layer 3", or in ALBERT
// "repetition 3 of the shared layer".
func (m *Model) layerName(l int) string { return m.study().Model.Arch.LayerLabel(l) }

// layersName names the marked layers: "layers 3, 5 and 7" (ALBERT: "repetitions 3, 5 and 7 of
// the shared layer").
func (m *Model) layersName() string {
	ls := m.markedLayers()
	if len(ls) == 1 {
		return m.layerName(ls[0])
	}
	var b strings.Builder
	for i, l := range ls {
		switch {
		case i == len(ls)-1:
			b.WriteString(" and ")
		case i > 0:
			b.WriteString(", ")
		}
		fmt.Fprint(&b, l)
	}
	if m.study().Model.Arch.SharedLayer {
		return "repetitions " + b.String() + " of the shared layer"
	}
	return "layers " + b.String()
}

// lesionLine says what the lesion shown does to text t, or why there is none.
func (m *Model) lesionLine(t int) string {
	s := m.study()
	k := m.shownKey()
	where := "in " + m.layerName(m.layer)
	if k.kind == jobLayers {
		where = "in " + m.layersName() + " together"
	}
	switch {
	case t == 0:
		return styles.dim.Render("never lesioned: the reference for Part 4")
	case !m.lesionOn:
		return styles.dim.Render("lesion off (space turns it on)")
	case m.jobState(k) == jobFailed:
		return styles.bad.Render("lesion failed: " + m.res.errs[k].Error())
	case m.jobState(k) == jobPending:
		return m.spin.View() + fmt.Sprintf(" lesioning %s (%s-tuned)…", strings.TrimPrefix(where, "in "), m.mode)
	}
	r, _ := m.shownLesion()
	word := s.Targets.Words[t-1]
	other := s.Targets.Words[2-t]
	n := r.units[t-1]
	verb := ablationVerb(m.ablation)
	switch {
	case m.mode == engine.LeastTuned:
		return styles.lesion.Render(fmt.Sprintf("%d least-tuned units (smallest |t|, as many as %q has) %s at [MASK] %s", n, word, verb, where))
	case m.units != engine.Significant:
		return styles.lesion.Render(fmt.Sprintf("%d %q units (%s>%s, the top %d by |t|) %s at [MASK] %s", n, word, word, other, int(m.units), verb, where))
	}
	return styles.lesion.Render(fmt.Sprintf("%d %q units (%s>%s) %s at [MASK] %s", n, word, word, other, verb, where))
}

// deltaScale is the largest |Δ| of the lesion shown, the scale of every Δ bar.
func deltaScale(r effect) float64 {
	top := 0.0
	for t := range 3 {
		for p := range 2 {
			for w := range 2 {
				top = math.Max(top, math.Abs(r.delta[t][p][w]))
			}
		}
	}
	return top
}

// textColumn draws text t in w cells: its name, its text, the lesion, the column heads and
// the four logits; textRows and lesionRows pad the wrapped parts so that columns side by side
// line up.
func (m *Model) textColumn(t, w, textRows, lesionRows int) []string {
	s := m.study()
	c := m.logitCols(w)
	name := fmt.Sprintf(" %d %s", t+1, m.textName(t))
	if t == m.text {
		name = styles.selected.Render(glyphs.mark + name[1:])
	}
	lines := []string{name}
	texts := [3]string{s.Set.Clean.Text, s.Set.Masked[0].Text, s.Set.Masked[1].Text}
	if textRows > 0 {
		lines = append(lines, padRows(styledRows(wrapText(texts[t], w), styles.dim.Render), textRows)...)
	}
	lines = append(lines, padRows(wrapText(m.lesionLine(t), w), lesionRows)...)
	lines = append(lines, styles.dim.Render(fmt.Sprintf("%*s %*s %*s %*s %*s", c.pos, "", c.word, "", numW, "clean", numW, "lesion", deltaW, "Δ")))
	r, lesioned := m.shownLesion()
	top := deltaScale(r)
	for p := range 2 {
		for wd := range 2 {
			label := ""
			if wd == 0 {
				label = m.posLabel(t, p)
			}
			clean := s.Clean[t][p][wd]
			row := fmt.Sprintf("%-*s %-*s %*.2f ", c.pos, label, c.word, s.Targets.Words[wd], numW, clean)
			switch {
			case !lesioned || t == 0:
				row += fmt.Sprintf("%*s %*s", numW, "—", deltaW, "—")
			default:
				d := r.delta[t][p][wd]
				row += fmt.Sprintf("%*.2f %+*.3f", numW, r.ablated[t][p][wd], deltaW, d)
				if c.bar > 0 && top > 0 {
					row += " " + hbar(d, -top, top, c.bar, m.wordStyle(wd))
				}
			}
			lines = append(lines, row)
		}
	}
	return lines
}

// styledRows applies style to every row.
func styledRows(rows []string, style func(...string) string) []string {
	for i, r := range rows {
		rows[i] = style(r)
	}
	return rows
}

// padRows pads rows with empty ones to n.
func padRows(rows []string, n int) []string {
	for len(rows) < n {
		rows = append(rows, "")
	}
	return rows
}

// wordStyle colours logit word wd (Targets.Words order) like its group in the other panes.
func (m *Model) wordStyle(wd int) lipgloss.Style {
	s := m.study()
	if s.Targets.Words[wd] == s.Set.A.Word {
		return styles.a
	}
	return styles.b
}

// logitsLines are the pane's lines at width w in at most h rows (h < 0: no limit), and what
// was left out: the legend first, then the wrapped test texts, when the rows run short.
func (m *Model) logitsLines(w, h int) ([]string, string) {
	s := m.study()
	texts, colW := m.logitTexts(w)
	all := [3]string{s.Set.Clean.Text, s.Set.Masked[0].Text, s.Set.Masked[1].Text}
	textRows, lesionRows := 0, 0
	for _, t := range texts {
		textRows = max(textRows, len(wrapText(all[t], colW)))
		lesionRows = max(lesionRows, len(wrapText(m.lesionLine(t), colW)))
	}
	legend := "Δ = clean − lesion: + means the lesion lowered the logit; bars share one scale"
	if r, ok := m.shownLesion(); ok {
		legend += fmt.Sprintf(" (largest |Δ| %.3f)", deltaScale(r))
	}
	legendLines := wrapText(styles.dim.Render(legend), w)
	rows := 1 + textRows + lesionRows + 1 + 4
	var left []string
	if h >= 0 && rows+len(legendLines) > h {
		legendLines = nil
		left = append(left, "Δ: ?")
	}
	if h >= 0 && rows > h {
		textRows = 0
		left = append(left, "texts: z")
	}
	cols := make([][]string, len(texts))
	for i, t := range texts {
		cols[i] = m.textColumn(t, colW, textRows, lesionRows)
	}
	var lines []string
	for row := range cols[0] {
		var b strings.Builder
		for i := range cols {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", columnGap))
			}
			cell := cols[i][row]
			b.WriteString(cell + strings.Repeat(" ", max(0, colW-width(cell))))
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	lines = append(lines, legendLines...)
	if len(texts) == 1 {
		left = append([]string{"texts: z"}, left...)
	}
	return lines, joinNote(left...)
}

func (logitsPane) name() string { return "Parts 4–5 · logits" }

func (logitsPane) title(m *Model) string {
	switch {
	case !m.lesionOn:
		return "Parts 4–5 · logits, lesion off"
	case m.markedKey() != "":
		return fmt.Sprintf("Parts 4–5 · logits, %s-tuned lesion of %s together", m.mode, m.layersName())
	}
	return fmt.Sprintf("Parts 4–5 · logits, %s-tuned lesion of %s", m.mode, m.layerName(m.layer))
}

func (logitsPane) summary(m *Model) []string {
	s := m.study()
	t := m.text
	r, ok := m.shownLesion()
	p := max(0, t-1) // the masked text's [MASK]; for the clean text the first slot
	if !ok || t == 0 {
		return []string{fmt.Sprintf("%d %s: %s %.2f", t+1, m.posLabel(t, p), s.Targets.Words[0], s.Clean[t][p][0]),
			fmt.Sprintf("%s %.2f", s.Targets.Words[1], s.Clean[t][p][1])}
	}
	return []string{fmt.Sprintf("%d [MASK]: Δ%s %+.3f", t+1, s.Targets.Words[0], r.delta[t][p][0]),
		fmt.Sprintf("Δ%s %+.3f", s.Targets.Words[1], r.delta[t][p][1])}
}

func (logitsPane) heights(m *Model, w int) (int, int) {
	lines, _ := m.logitsLines(w-2, -1)
	return len(lines) + 2, len(lines) + 2
}

func (logitsPane) view(m *Model, f *frame, w, h int) ([]string, string) { return m.logitsLines(w, h) }

func (logitsPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	ev, ok := msg.(paneMouse)
	if !ok {
		return nil, false
	}
	if !m.wheel(ev.MouseMsg) && leftClick(ev.MouseMsg) {
		r := m.layout().panes[paneLogits]
		if texts, colW := m.logitTexts(r.w - 2); len(texts) == textsShown {
			m.text = min(textsShown-1, ev.x/(colW+columnGap))
		}
	}
	return nil, true
}
