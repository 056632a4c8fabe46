package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// helpPane is the full help (?): what each pane shows, what the marks and colours mean, the
// sign of Δ, and every key. It takes the whole body and scrolls.
type helpPane struct {
	shown  bool
	scroll int
}

// text is the help, wrapped to w.
func (hp *helpPane) text(m *Model, w int) []string {
	s := m.study()
	a, b := s.Set.A.Word, s.Set.B.Word
	w0, w1 := s.Targets.Words[0], s.Targets.Words[1]
	var lines []string
	para := func(s string) { lines = append(lines, wrapText(s, w)...) }
	head := func(s string) { lines = append(lines, "", styles.title.Render(s)) }
	lines = append(lines, styles.title.Render("lesionui explorer")+styles.dim.Render(" — esc or ? closes, j/k scroll"))
	para(fmt.Sprintf("%d sentences with %q and the same %d with %q went through the model; in every layer the MLP expansion (%d units) was recorded at that word, and every unit got a %s t-test (%s − %s), corrected with %s at q < %g.",
		len(s.Set.A.Sentences), a, len(s.Set.B.Sentences), b, s.Model.Config.IntermediateSize, m.kind, a, b, correctionName(s.Options.Correction), s.Options.Alpha))

	head("Panes")
	para("Layers (left): every layer with its numbers of significant units, " + a + ">" + b + " (t > 0) and " + b + ">" + a + " (t < 0), and a bar of both. j/k, the wheel or a click select a layer; :N⏎ jumps to layer N.")
	para("Part 2 · t-values: the t of every unit of the selected layer (x: unit, y: t). Each cell of the chart takes the class most of its units belong to (a tie goes to n.s., so the non-significant units are never hidden). The ╌ lines are the smallest |t| that is significant at this alpha and correction; ↑ and ↓ in the top and bottom rows are units beyond the y range, which leaves out the most extreme 0.5 % on each side (the legend counts them). The ◆ is the unit cursor: h/l, H/L, a click, u (most tuned), U (least tuned), ] and [ (next more / less tuned); its t, p, q, rank by |t| and its activations in both groups (histograms on one scale, with the means) are shown beside or under the chart.")
	para("Part 3 · % significant: the share of units of each direction in every layer, two bars a layer. Every layer is drawn; every k-th is labelled, the selected one is marked ▲ under the axis.")
	para(fmt.Sprintf("Parts 4–5 · logits: for each test text (1 clean, 2 %s-mask, 3 %s-mask) the logits of %q and %q at the two places the notebook reads: the %s slot and the %s slot, [MASK] where the text masks it. clean is without a lesion, lesion with the selected layer's lesion, and Δ = clean − lesion. The most-tuned lesion zeroes the layer's significant %q units at the %s-mask text's [MASK] and its %q units at the %s-mask text's [MASK]; the least-tuned control (m) zeroes as many units with the smallest |t|. The clean text is never lesioned. All three texts stand side by side when they fit; 1/2/3 choose the one shown otherwise.",
		w0, w1, w0, w1, w0, w1, w0, w0, w1, w1))
	para("Parts 6–7 · laminar sweep: every layer lesioned. Top: the mean |Δ| of the 12 target logits, most-tuned and least-tuned side by side on one scale (Part 7's control). Bottom: the signed Δ of each word's logit at its own [MASK] under the mode shown (m), on a scale shared by both modes. Both charts share one x axis.")

	head("Marks and colours")
	para(styles.a.Render("blue") + ": " + a + ">" + b + " (t > 0, significant).  " +
		styles.b.Render("orange") + ": " + b + ">" + a + " (t < 0, significant).  " +
		styles.ns.Render("grey") + ": not significant.  " + styles.lesion.Render("teal") + ": the sweep's magnitudes. In every per-layer chart the first bar of a layer is " + a + ">" + b + ", most-tuned or the first word, the second " + b + ">" + a + ", least-tuned or the second word.")
	para("Without colour (NO_COLOR) Part 2 draws each cell as " + glyphs.a + " (" + a + ">" + b + "), " + glyphs.b + " (" + b + ">" + a + ") or " + glyphs.ns + " (n.s.) for its class, and the second bar of every chart is shaded (" + glyphs.shade + ", " + glyphs.light + " below half a cell), the first solid (" + glyphs.solid + "). " + glyphs.pending + " on a chart's zero line is a lesion not computed yet. The focused pane has a heavy border.")

	head("The sign of Δ")
	para("Δ = clean − lesioned. Δ > 0: the lesion lowered the logit, so the zeroed units were pushing that word up at that position; Δ < 0: the lesion raised it. The Δ bars share one scale, the largest |Δ| of the lesion shown.")

	head("Background work")
	para("Once the study is open every layer is lesioned in both modes in the background, nearest the selected layer first, so that moving shows results at once; the header counts them. s pauses and resumes it (paused, only the lesion shown is computed). Results are kept per t-test, so w back and forth costs nothing.")

	head("Keys")
	k := m.keys
	for _, bnd := range []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Jump, k.Focus, k.FocusBack, k.Zoom,
		k.Mode, k.Lesion, k.Text, k.Welch, k.Background, k.UnitLeft, k.UnitRight, k.UnitFarLeft, k.UnitFarRight,
		k.MostTuned, k.LeastTuned, k.RankUp, k.RankDown, k.Export, k.Help, k.Dismiss, k.Quit} {
		lines = append(lines, wrapText(fmt.Sprintf("%s %s", styles.key.Render(fmt.Sprintf("%-10s", bnd.Help().Key)), bnd.Help().Desc), w)...)
	}
	lines = append(lines, wrapText(styles.key.Render(fmt.Sprintf("%-10s", "mouse"))+" click a layer, a pane, a unit or a bar; the wheel moves over layers", w)...)
	return lines
}

func (hp *helpPane) view(m *Model, f *frame, w, h int) []string {
	lines := hp.text(m, w-2)
	inner := h - 2
	hp.scroll = max(0, min(hp.scroll, len(lines)-inner))
	note := ""
	if len(lines) > inner {
		note = fmt.Sprintf("lines %d–%d of %d · j/k, pgup/pgdn scroll", hp.scroll+1, min(len(lines), hp.scroll+inner), len(lines))
	}
	return f.box("Help", note, lines[hp.scroll:min(len(lines), hp.scroll+inner)], w, h, true)
}

// key scrolls or closes the help.
func (hp *helpPane) key(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	page := max(1, m.height-6)
	switch {
	case key.Matches(msg, k.Help), key.Matches(msg, k.Dismiss):
		hp.shown = false
	case key.Matches(msg, k.Down):
		hp.scroll++
	case key.Matches(msg, k.Up):
		hp.scroll--
	case key.Matches(msg, k.PageDown):
		hp.scroll += page
	case key.Matches(msg, k.PageUp):
		hp.scroll -= page
	case key.Matches(msg, k.Top):
		hp.scroll = 0
	case key.Matches(msg, k.Bottom):
		hp.scroll = 1 << 20
	}
	hp.scroll = max(0, hp.scroll)
	return nil
}

// mouse scrolls the help with the wheel.
func (hp *helpPane) mouse(m *Model, msg tea.MouseMsg) tea.Cmd {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		hp.scroll = max(0, hp.scroll-3)
	case tea.MouseButtonWheelDown:
		hp.scroll += 3
	}
	return nil
}
