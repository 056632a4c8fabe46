package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// Minimum terminal size the explorer draws itself in.
const minWidth, minHeight = 60, 16

// wideLayout reports whether a body of w×h cells shows every pane at once.
func wideLayout(w, h int) bool { return w >= 120 && h >= 28 }

// View draws the whole screen.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w < minWidth || h < minHeight {
		return fmt.Sprintf("lesionui needs at least %dx%d cells (this terminal: %dx%d); q quits", minWidth, minHeight, w, h)
	}
	switch m.state {
	case stateLoading:
		return m.loadingView(w, h)
	case stateFailed:
		return m.failedView(w, h)
	}
	footer := m.footer(w)
	bodyH := h - 1 - lipgloss.Height(footer)
	return lipgloss.JoinVertical(lipgloss.Left, m.titleBar(w), m.body(w, bodyH), footer)
}

// modelLabel is the model's name with a demo badge.
func (m *Model) modelLabel() string {
	if m.demo {
		return styles.badge.Render(" DEMO MODEL ") + " " + m.name
	}
	return m.name
}

func (m *Model) titleBar(w int) string {
	s := m.study()
	left := styles.title.Render("lesionui") + " " + m.modelLabel()
	test := fmt.Sprintf("%s t", m.kind)
	if m.pendingKind != nil {
		test = fmt.Sprintf("%s t %s %s…", m.kind, m.spin.View(), *m.pendingKind)
	}
	lesion := "lesion off"
	if m.lesionOn {
		lesion = "lesion on"
	}
	units := fmt.Sprintf("%d×%d units │ ", len(s.Layers), s.Model.Config.IntermediateSize)
	right := fmt.Sprintf("%s, %s q<%g │ %s-tuned │ %s", test, correctionName(s.Options.Correction), s.Options.Alpha, m.mode, lesion)
	if w-lipgloss.Width(left)-lipgloss.Width(right)-lipgloss.Width(units) > 1 {
		right = units + right
	}
	if v := m.view(); v.sweepTask != nil { // visible whichever pane is shown
		right = fmt.Sprintf("%s sweep %d/%d │ ", m.spin.View(), v.sweepProg.Done, v.sweepProg.Total) + right
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right) - 1
	if gap < 1 {
		left = ansi.Truncate(left, max(10, w-lipgloss.Width(right)-2), "…")
		gap = max(1, w-lipgloss.Width(left)-lipgloss.Width(right)-1)
	}
	return ansi.Truncate(left+strings.Repeat(" ", gap)+styles.dim.Render(right), w, "…")
}

func correctionName(c stats.Correction) string {
	if c == stats.Bonferroni {
		return "Bonferroni"
	}
	return "BH"
}

// footer is the status line (if any) and the help bar, or the full help.
func (m *Model) footer(w int) string {
	m.help.Width = w
	// help.Model can overrun its width when no ellipsis fits after the last item: cut each line.
	hv := fitWidth([]string{m.help.View(m.keys)}, w)
	if m.status == "" {
		return hv
	}
	st := ansi.Truncate(styles.accent.Render(m.status), w, "…")
	if m.showHelp {
		return st + "\n" + hv
	}
	return ansi.Truncate(st+styles.dim.Render(" │ ")+hv, w, "…")
}

// body lays out the panes: the layer list on the left; right of it the focused pane alone, or
// (wide) large on top of the other three.
func (m *Model) body(w, h int) string {
	lw := 24
	if w >= 120 {
		lw = max(lw, min(34, w/6))
	}
	left := m.pane(paneLayers, lw, h)
	rw := w - lw
	if !wideLayout(w, h) {
		return lipgloss.JoinHorizontal(lipgloss.Top, left, m.pane(m.focus, rw, h))
	}
	th := h * 11 / 20
	var others []string
	var rest []pane
	for p := range pane(numFocus) {
		if p != m.focus {
			rest = append(rest, p)
		}
	}
	for i, p := range rest {
		pw := rw / len(rest)
		if i == len(rest)-1 {
			pw = rw - pw*(len(rest)-1)
		}
		others = append(others, m.pane(p, pw, h-th))
	}
	right := lipgloss.JoinVertical(lipgloss.Left, m.pane(m.focus, rw, th), lipgloss.JoinHorizontal(lipgloss.Top, others...))
	return lipgloss.JoinHorizontal(lipgloss.Top, left, right)
}

// pane draws one pane in a w×h box.
func (m *Model) pane(p pane, w, h int) string {
	iw, ih := w-2, h-2
	var title string
	var lines []string
	s := m.study()
	switch p {
	case paneLayers:
		title, lines = "Layers: sig. units", m.layersPane(iw, ih)
	case paneScatter:
		title = fmt.Sprintf("Part 2 · t-values in layer %d (%s − %s)", m.layer, s.Set.A.Word, s.Set.B.Word)
		lines = m.scatterPane(iw, ih)
	case panePercent:
		title, lines = "Part 3 · % significant units per layer", m.percentPane(iw, ih)
	case paneLogits:
		title = fmt.Sprintf("Parts 4–5 · logits, lesion in layer %d", m.layer)
		lines = m.logitsPane(iw, ih)
	case paneSweep:
		title = fmt.Sprintf("Parts 6–7 · laminar sweep, %s-tuned", m.mode)
		lines = m.sweepPane(iw, ih)
	}
	return box(title, lines, w, h, p == m.focus)
}

// box frames lines in a w×h border with the title in the top edge; the focused pane gets a
// heavy border (visible without colour too).
func box(title string, lines []string, w, h int, focused bool) string {
	bs, edge := styles.border, [6]string{"╭", "─", "╮", "│", "╰", "╯"}
	if focused {
		bs, edge = styles.borderFocus, [6]string{"┏", "━", "┓", "┃", "┗", "┛"}
	}
	iw := w - 2
	title = ansi.Truncate(" "+title+" ", max(0, iw-2), "…")
	var b strings.Builder
	b.WriteString(bs.Render(edge[0]+edge[1]) + styles.bold.Render(title) + bs.Render(strings.Repeat(edge[1], max(0, iw-1-lipgloss.Width(title)))+edge[2]))
	lines = fitLines(lines, h-2)
	for _, l := range lines {
		l = ansi.Truncate(l, iw, "…")
		b.WriteString("\n" + bs.Render(edge[3]) + l + strings.Repeat(" ", max(0, iw-lipgloss.Width(l))) + bs.Render(edge[3]))
	}
	b.WriteString("\n" + bs.Render(edge[4]+strings.Repeat(edge[1], max(0, iw))+edge[5]))
	return b.String()
}

// layersPane lists every layer with its counts of significant units and a bar of their share.
func (m *Model) layersPane(w, h int) []string {
	s := m.study()
	maxSig := 1
	for _, lt := range s.Layers {
		maxSig = max(maxSig, len(lt.A)+len(lt.B))
	}
	bw := max(0, w-17)
	lines := []string{styles.dim.Render(fmt.Sprintf("   L %5s %5s", s.Set.A.Word, s.Set.B.Word))}
	first, n := window(len(s.Layers), h-1, m.layer)
	for l := first; l < first+n; l++ {
		lt := s.Layers[l]
		na := int(math.Round(float64(len(lt.A)) / float64(maxSig) * float64(bw)))
		nb := int(math.Round(float64(len(lt.B)) / float64(maxSig) * float64(bw)))
		row := fmt.Sprintf(" %3d %5d %5d ", l, len(lt.A), len(lt.B))
		if l == m.layer {
			row = styles.selected.Render("▶" + row[1:])
		}
		lines = append(lines, row+styles.a.Render(strings.Repeat("█", na))+styles.b.Render(strings.Repeat("▒", nb)))
	}
	return lines
}

// share formats n of total as "n (p%)".
func share(n, total int) string {
	return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(max(1, total)))
}

// scatterPane is the t-value of every unit of the selected layer, by class (Part 2).
func (m *Model) scatterPane(w, h int) []string {
	s := m.study()
	lt := s.Layers[m.layer]
	n := len(lt.T)
	a, b := s.Set.A.Word, s.Set.B.Word
	legend := styles.a.Render("● "+a+">"+b+" "+share(len(lt.A), n)) + "  " +
		styles.b.Render("● "+b+">"+a+" "+share(len(lt.B), n)) + "  " +
		styles.ns.Render("● n.s. "+share(n-len(lt.A)-len(lt.B), n))
	cls := lt.Classes()
	dots := [...]dotClass{engine.PrefersA: dotA, engine.PrefersB: dotB, engine.NotSignificant: dotNS}
	return append([]string{legend}, scatterChart(lt.T, func(i int) dotClass { return dots[cls[i]] }, w, h-1)...)
}

// percentPane is the share of significant units per layer in both directions (Part 3).
func (m *Model) percentPane(w, h int) []string {
	s := m.study()
	units := float64(s.Model.Config.IntermediateSize)
	pa, pb := make([]float64, len(s.Layers)), make([]float64, len(s.Layers))
	top := 0.0
	for l, lt := range s.Layers {
		pa[l], pb[l] = 100*float64(len(lt.A))/units, 100*float64(len(lt.B))/units
		top = math.Max(top, math.Max(pa[l], pb[l]))
	}
	a, b := s.Set.A.Word, s.Set.B.Word
	legend := fmt.Sprintf("%s  %s   layer %d: %.1f%% / %.1f%%",
		styles.a.Render("▌"+a+">"+b+" (left)"), styles.b.Render("▌"+b+">"+a+" (right)"), m.layer, pa[m.layer], pb[m.layer])
	return append([]string{legend}, barChart([]series{{pa, styles.a}, {pb, styles.b}}, 0, top, "%.1f", m.layer, w, h-1)...)
}

// wordPos names mask position p: "her mask".
func (m *Model) wordPos(p int) string { return m.study().Targets.Words[p] + " mask" }

// testNames are the short names of the three test texts.
func (m *Model) testNames() [3]string {
	w := m.study().Targets.Words
	return [3]string{"clean", w[0] + "-mask text", w[1] + "-mask text"}
}

// currentLesion returns the lesion shown, whether it is being computed, and its error.
func (m *Model) currentLesion() (*engine.LesionResult, bool, error) {
	v := m.view()
	k := m.key()
	if r, ok := v.lesions[k]; ok {
		return &r, false, nil
	}
	return nil, v.pending[k], v.lesionErr[k]
}

// logitsPane shows the clean and lesioned logits of both words at both masks of the test text
// picked with 1/2/3 (Parts 4 and 5), with the deltas; tall panes add the deltas of all texts.
func (m *Model) logitsPane(w, h int) []string {
	s := m.study()
	names := m.testNames()
	var tabs []string
	for i, n := range names {
		t := fmt.Sprintf(" %d %s ", i+1, n)
		if i == m.text {
			t = styles.selected.Render("▸" + t[1:])
		}
		tabs = append(tabs, t)
	}
	texts := [3]string{s.Set.Clean.Text, s.Set.Masked[0].Text, s.Set.Masked[1].Text}
	lines := []string{strings.Join(tabs, ""), styles.dim.Render(" " + texts[m.text])}
	r, pending, err := m.currentLesion()
	switch {
	case !m.lesionOn:
		lines = append(lines, styles.dim.Render(" lesion off (space turns it on): clean logits only"))
	case err != nil:
		lines = append(lines, styles.bad.Render(" lesion failed: "+err.Error()))
	case pending || r == nil:
		lines = append(lines, " "+m.spin.View()+fmt.Sprintf(" lesioning layer %d (%s-tuned)…", m.layer, m.mode))
	case m.text == 0:
		lines = append(lines, styles.dim.Render(" the clean text is never lesioned; 2 and 3 show the lesions"))
	default:
		k := m.text - 1
		lines = append(lines, styles.lesion.Render(fmt.Sprintf(" %d %s-tuned units of %q zeroed at the %s, layer %d",
			len(r.Units[k]), m.mode, s.Targets.Words[k], m.wordPos(k), m.layer)))
	}
	lo, hi := 0.0, 0.0
	for _, lg := range []*engine.Logits{&s.Clean, lesionedOrNil(r, m.lesionOn)} {
		if lg == nil {
			continue
		}
		for _, v := range lg[m.text] {
			lo, hi = math.Min(lo, math.Min(v[0], v[1])), math.Max(hi, math.Max(v[0], v[1]))
		}
	}
	lesioned := lesionedOrNil(r, m.lesionOn)
	words := s.Targets.Words
	compact := h < 3+2*(1+2*2)
	bw := max(4, min(60, w-32))
	for p := range 2 {
		if !compact {
			lines = append(lines, styles.bold.Render(fmt.Sprintf(" at the %s", m.wordPos(p))))
		}
		for wd := range 2 {
			clean := s.Clean[m.text][p][wd]
			if compact {
				line := fmt.Sprintf(" %-4s@%-4s %7.2f", words[wd], words[p], clean)
				if lesioned != nil {
					line += fmt.Sprintf(" → %7.2f  Δ %+.2f", lesioned[m.text][p][wd], clean-lesioned[m.text][p][wd])
				}
				lines = append(lines, line)
				continue
			}
			lines = append(lines, fmt.Sprintf("  %-5s clean  %s %7.2f", words[wd], hbar(clean, lo, hi, bw, m.wordStyle(wd)), clean))
			if lesioned != nil {
				v := lesioned[m.text][p][wd]
				lines = append(lines, fmt.Sprintf("  %-5s lesion %s %7.2f  Δ %+.2f", "", hbar(v, lo, hi, bw, styles.lesion), v, clean-v))
			}
		}
	}
	if lesioned != nil && h >= len(lines)+5 {
		lines = append(lines, "", styles.bold.Render(" Δ = clean − lesioned"))
		head := fmt.Sprintf(" %-14s", "")
		for p := range 2 {
			for wd := range 2 {
				head += fmt.Sprintf("%9s", words[wd]+"@"+words[p])
			}
		}
		lines = append(lines, styles.dim.Render(head))
		for t := range 3 {
			row := fmt.Sprintf(" %-14s", names[t])
			for p := range 2 {
				for wd := range 2 {
					row += fmt.Sprintf("%9.3f", r.Delta[t][p][wd])
				}
			}
			if t == m.text {
				row = styles.selected.Render(row)
			}
			lines = append(lines, row)
		}
	}
	return lines
}

// lesionedOrNil is the lesioned logits shown, or nil.
func lesionedOrNil(r *engine.LesionResult, on bool) *engine.Logits {
	if r == nil || !on {
		return nil
	}
	return &r.Ablated
}

// wordStyle colours logit word wd (Targets.Words order) like its group in the other panes.
func (m *Model) wordStyle(wd int) lipgloss.Style {
	s := m.study()
	if s.Targets.Words[wd] == s.Set.A.Word {
		return styles.a
	}
	return styles.b
}

// sweepPane is the laminar sweep (Part 6) for the current mode, on scales shared with the other
// mode so that most- and least-tuned lesions compare at a glance (Part 7).
func (m *Model) sweepPane(w, h int) []string {
	v := m.view()
	s := v.study
	switch {
	case v.sweepTask != nil:
		p := v.sweepProg
		bar := m.bar
		bar.Width = max(10, min(60, w-4))
		return []string{
			fmt.Sprintf(" %s sweeping layer %d of %d, both modes", m.spin.View(), p.Done, p.Total),
			" " + bar.ViewAs(frac(p.Done, p.Total)),
		}
	case v.sweepErr != nil:
		return []string{styles.bad.Render(" sweep failed: " + v.sweepErr.Error()), " s retries"}
	case v.sweep == nil:
		return []string{
			fmt.Sprintf(" Lesion each of the %d layers with the most- and the", len(s.Layers)),
			" least-tuned units and compare the logit changes.",
			"",
			" " + styles.helpKey.Render("s") + " runs the sweep",
		}
	}
	mi := modeIndex(m.mode)
	words := s.Targets.Words
	n := len(s.Layers)
	mag, her, him := make([]float64, n), make([]float64, n), make([]float64, n)
	top, lo, hi := 0.0, 0.0, 0.0
	for i := range engine.Modes {
		for l, r := range v.sweep[i] {
			top = math.Max(top, r.Magnitude)
			lo = math.Min(lo, math.Min(r.Impact[0], r.Impact[1]))
			hi = math.Max(hi, math.Max(r.Impact[0], r.Impact[1]))
			if i == mi {
				mag[l], her[l], him[l] = r.Magnitude, r.Impact[0], r.Impact[1]
			}
		}
	}
	most, least := v.sweep[0][m.layer], v.sweep[1][m.layer]
	summary := []string{
		fmt.Sprintf(" layer %d  most:  |Δ| %.3f  Δ%s %+.3f  Δ%s %+.3f", m.layer, most.Magnitude, words[0], most.Impact[0], words[1], most.Impact[1]),
		fmt.Sprintf(" %*s  least: |Δ| %.3f  Δ%s %+.3f  Δ%s %+.3f", len(fmt.Sprint("layer ", m.layer)), "", least.Magnitude, words[0], least.Impact[0], words[1], least.Impact[1]),
	}
	avail := h - 2 - len(summary)
	if avail < 6 {
		return append([]string{styles.dim.Render(" scales shared by both modes; m toggles")}, summary...)
	}
	h1 := avail / 2
	lines := []string{styles.dim.Render(" |Δ logits|, mean of 12 (scale shared with the other mode)")}
	lines = append(lines, barChart([]series{{mag, styles.lesion}}, 0, top, "%.2f", m.layer, w, h1)...)
	lines = append(lines, styles.dim.Render(" signed Δ: ")+m.wordStyle(0).Render("▌"+words[0]+" at its mask")+"  "+m.wordStyle(1).Render("▌"+words[1]+" at its mask"))
	lines = append(lines, barChart([]series{{her, m.wordStyle(0)}, {him, m.wordStyle(1)}}, lo, hi, "%.2f", m.layer, w, avail-h1)...)
	return append(lines, summary...)
}

func modeIndex(mode engine.Mode) int {
	for i, md := range engine.Modes {
		if md == mode {
			return i
		}
	}
	return 0
}

func frac(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return math.Min(1, float64(done)/float64(total))
}

// loadingView is the start-up progress: finished phases, the current one with its bar.
func (m *Model) loadingView(w, h int) string {
	lines := []string{styles.title.Render("lesionui") + " · opening " + m.modelLabel(), ""}
	for _, st := range m.steps {
		lines = append(lines, styles.dim.Render("  ✓ "+engine.Progress{Phase: st.phase, Done: st.done, Total: st.total}.String()))
	}
	p := m.loadProg
	if p.Phase == "" {
		lines = append(lines, "  "+m.spin.View()+" starting…")
	} else {
		lines = append(lines, "  "+m.spin.View()+" "+p.String())
	}
	bar := m.bar
	bar.Width = max(10, min(60, w-6))
	lines = append(lines, "    "+bar.ViewAs(frac(p.Done, p.Total)), "", styles.dim.Render("  q / ctrl+c cancels"))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, fitWidth(lines, w))
}

// fitWidth joins lines, each cut to w.
func fitWidth(lines []string, w int) string {
	lines = strings.Split(strings.Join(lines, "\n"), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}

// failedView shows why the study could not be opened and what the user can do.
func (m *Model) failedView(w, h int) string {
	msg := lipgloss.NewStyle().Width(max(20, min(100, w-4))).Render(m.openErr.Error())
	lines := []string{styles.title.Render("lesionui") + " · could not open " + m.modelLabel(), "", styles.bad.Render(msg), ""}
	if m.cfg.OpenDemo != nil {
		lines = append(lines, "press "+styles.helpKey.Render("d")+" to open the shipped demo model instead")
	}
	lines = append(lines, "press "+styles.helpKey.Render("q")+" to quit")
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, fitWidth(lines, w))
}
