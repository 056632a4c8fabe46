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

	layer := "layer"
	if s.Model.Arch.SharedLayer {
		layer = "repetition"
		head("ALBERT: one shared layer")
		para(fmt.Sprintf("This model is %s: one set of layer weights runs %d times, so \"layer L\" here is %s (%s), and unit u is the same neuron in every repetition. The study asks at which repetition a neuron tells %q from %q, and a lesion changes it in that one repetition only.",
			s.Model.Arch.Family, len(s.Layers), s.Model.Arch.LayerLabel(0)+", "+s.Model.Arch.LayerLabel(1)+", …", "counted from 0", a, b))
	}
	if len(s.Warnings) > 0 {
		head(glyphs.warning + " Warnings")
		for _, w := range s.Warnings {
			para(styles.bad.Render(w.Message))
		}
	}

	head("Panes")
	para("Layers (left): every " + layer + " with its numbers of significant units, " + a + ">" + b + " (t > 0) and " + b + ">" + a + " (t < 0), and a bar of both; " + glyphs.mark + " is the selected one, " + glyphs.marked + " those marked (x) for a lesion together. j/k, the wheel or a click select a layer; :N⏎ jumps to layer N.")
	para("Part 2 · t-values: the t of every unit of the selected layer (x: unit, y: t). Each cell of the chart takes the class most of its units belong to (a tie goes to n.s., so the non-significant units are never hidden). The ╌ lines are the smallest |t| that is significant at this alpha and correction; ↑ and ↓ in the top and bottom rows are units beyond the y range, which leaves out the most extreme 0.5 % on each side (the legend counts them). The ◆ is the unit cursor: h/l, H/L, a click, u (most tuned), U (least tuned), ] and [ (next more / less tuned). Beside or under the chart: its t, p, q, Hedges' g (the standardised difference of the group means, the sign of t), class and rank by |t|; what lesioning that unit alone does (with the ablation shown, at both masks: the mean |Δ| of the 12 logits and each word's Δ at its own [MASK]; computed once the cursor rests, then kept); and its activations in both groups (histograms on one scale, with the means).")
	para("Part 3 · % significant: the share of units of each direction in every layer, two bars a layer. Every layer is drawn; every k-th is labelled, the selected one is marked ▲ under the axis.")
	para(fmt.Sprintf("Parts 4–5 · logits: for each test text (1 clean, 2 %s-mask, 3 %s-mask) the logits of %q and %q at the two places the notebook reads: the %s slot and the %s slot, [MASK] where the text masks it. clean is without a lesion, lesion with the selected layer's lesion (or the marked layers' together), and Δ = clean − lesion. The most-tuned lesion changes the layer's %q units at the %s-mask text's [MASK] and its %q units at the %s-mask text's [MASK]; the least-tuned control (m) as many units with the smallest |t|. The clean text is never lesioned. All three texts stand side by side when they fit; 1/2/3 choose the one shown otherwise.",
		w0, w1, w0, w1, w0, w1, w0, w0, w1, w1))
	para("Top-k (t): the model's most likely tokens at the [MASK] of each masked text, clean on the left and under the lesion shown on the right, with how each token's rank moved (↑n, ↓n, new: not in the clean top k). " + glyphs.target + " marks the two contrast words, in their colours. A lesion of marked layers has no top-k of its own: the selected layer's is shown.")
	para("Parts 6–7 · laminar sweep: every layer lesioned. Top: the mean |Δ| of the 12 target logits, most-tuned and least-tuned side by side on one scale (Part 7's control), and with the random baseline on (b) the band " + glyphs.band + " from the 5th to the 95th percentile of as many random units' lesions, with the most-tuned lesion's percentile among them for the selected layer. Bottom: the signed Δ of each word's logit at its own [MASK] under the mode shown (m), on a scale shared by both modes. Both charts share one x axis.")
	para("Evaluation set (v): every item of the set (--eval FILE, or the built-in 160) is lesioned at its [MASK] with the units of its answer word. Per layer: the mean change of the answer's margin over the other word (clean − lesioned; + means the lesion weakened the right answer), " + glyphs.meanA + " most-tuned and " + glyphs.meanB + " least-tuned, with the 95 % bootstrap interval " + glyphs.whisker + "; for the selected layer the two-word accuracy clean → lesioned and how many items' decisions flip. It is slow: the clean pass runs every item through the model, then each layer's lesion re-runs all of them.")

	head("Lesion controls")
	para("Each control is also a flag of lesionui, run and report. n: the units a most-tuned lesion changes, the significant ones of each direction (--units significant) or the K of largest |t| of each sign (--units top=K); + and - step K through 1, 2, 5, 10, 20, 50, … (the least-tuned control and the random draws take as many). a: what the units become, before the activation function: zero (--ablate zero, the notebook's), their mean over all contrast sentences (mean), their value times F (scale=F; F from --ablate scale=F, else 2), or their mean over the other group's sentences (patch: a counterfactual). b: the random baseline (--baseline N; N draws a layer, 20 if not given). v: the evaluation set (--eval builtin|FILE). t: the top-k predictions (--topk K). x marks the selected layer, X unmarks all: the marked layers are lesioned together, each with its own units, in one pass. Every result is kept per t-test and setting, so going back to a setting costs nothing.")

	head("Marks and colours")
	para(styles.a.Render("blue") + ": " + a + ">" + b + " (t > 0, significant).  " +
		styles.b.Render("orange") + ": " + b + ">" + a + " (t < 0, significant).  " +
		styles.ns.Render("grey") + ": not significant, and the random band.  " + styles.lesion.Render("teal") + ": the sweep's magnitudes and the evaluation set. In every per-layer chart the first bar of a layer is " + a + ">" + b + ", most-tuned or the first word, the second " + b + ">" + a + ", least-tuned or the second word.")
	para("Without colour (NO_COLOR) Part 2 draws each cell as " + glyphs.a + " (" + a + ">" + b + "), " + glyphs.b + " (" + b + ">" + a + ") or " + glyphs.ns + " (n.s.) for its class, and the second bar of every chart is shaded (" + glyphs.shade + ", " + glyphs.light + " below half a cell), the first solid (" + glyphs.solid + "). " + glyphs.pending + " on a chart's zero line is a result not computed yet. The focused pane has a heavy border.")

	head("The sign of Δ")
	para("Δ = clean − lesioned. Δ > 0: the lesion lowered the logit, so the units lesioned were pushing that word up at that position; Δ < 0: the lesion raised it. The Δ bars share one scale, the largest |Δ| of the lesion shown.")

	head("Background work")
	para("Once the study is open, what is on screen is computed first (the selected layer's lesion, the unit under a resting cursor, the top-k shown), then in the background, for every layer nearest the selected one first: the lesions of both modes, their top-k predictions, the random baseline and the evaluation set; the header counts them. A move to something not computed yet stops the quick work under way and starts it; the evaluation set's slow lesions go on beside it. s pauses and resumes the background (paused, only what is shown is computed). Results are kept per t-test and setting, so w or any control back and forth costs nothing.")

	head("Keys")
	k := m.keys
	for _, bnd := range []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Jump, k.Focus, k.FocusBack, k.Zoom,
		k.Mode, k.Lesion, k.Text, k.Units, k.MoreUnits, k.FewerUnits, k.Ablate, k.Baseline, k.Eval, k.TopK, k.Mark, k.ClearMarks,
		k.Welch, k.Background, k.UnitLeft, k.UnitRight, k.UnitFarLeft, k.UnitFarRight,
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
