package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
)

// topKPane shows the model's K most likely tokens at the [MASK] of a masked test text, clean
// and under the lesion shown, side by side; the contrast words are marked (glyphs.target) in
// their colours, and each lesioned token says how its rank moved. Both masked texts stand side
// by side when they fit, else the one chosen with 2/3 (1, the clean text, shows the first). The
// predictions are computed per layer and mode in the background; a lesion of several marked
// layers has none of its own (the selected layer's is shown).
type topKPane struct{}

const (
	maxTokenW = 16 // tokens wider than this are shortened with "…"
	changeW   = 4  // "↑12", "new"
	panelGap  = 3
)

// topKTexts are the masked texts the pane shows at width w: both if their panels fit, else the
// chosen one.
func (m *Model) topKTexts(w int) []int {
	if 2*m.topKPanelW()+panelGap <= w {
		return []int{1, 2}
	}
	return []int{max(1, m.text)}
}

// tokenW is the width of the token column: the widest token shown, up to maxTokenW.
func (m *Model) tokenW() int {
	tw := 5
	for _, p := range m.shownPredictions() {
		for t := 1; t < 3; t++ {
			for _, tok := range p[t][t-1] {
				tw = max(tw, min(maxTokenW, width(tokenText(tok.Token))))
			}
		}
	}
	return tw
}

// topKPanelW is the width of one text's panel: rank, clean token and logit, lesioned token,
// logit and rank change.
func (m *Model) topKPanelW() int {
	col := 1 + m.tokenW() + 1 + numW
	return 2 + 1 + col + panelGap + col + 1 + changeW
}

// shownPredictions are the clean predictions and, if computed, the lesioned ones shown.
func (m *Model) shownPredictions() []engine.Predictions {
	var out []engine.Predictions
	if p, ok := m.res.topK[m.cleanTopKKey()]; ok {
		out = append(out, p)
		if l, ok := m.res.topK[m.topKKey(m.layer, m.mode)]; ok && m.lesionOn {
			out = append(out, l)
		}
	}
	return out
}

// tokenText is a token as shown: control characters escaped, shortened to maxTokenW.
func tokenText(tok string) string {
	var b strings.Builder
	for _, r := range tok {
		if r < ' ' || r == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", r)
		} else {
			b.WriteRune(r)
		}
	}
	return ansi.Truncate(b.String(), maxTokenW, "…")
}

// topKPanel draws text t's predictions in rows ranks.
func (m *Model) topKPanel(t, ranks int) []string {
	s := m.study()
	p := t - 1 // the text's own [MASK]
	tw := m.tokenW()
	preds := m.shownPredictions()
	colW := 1 + tw + 1 + numW
	head := fmt.Sprintf(" %d %s, at [MASK]", t+1, m.textName(t))
	if t == m.text {
		head = styles.selected.Render(glyphs.mark + head[1:])
	}
	lesioned := "lesioned"
	if !m.lesionOn {
		lesioned = "(lesion off)"
	}
	lines := []string{head, styles.dim.Render(fmt.Sprintf("%2s %-*s%*s%-*s", "#", colW, " clean", panelGap, "", colW, " "+lesioned))}
	cell := func(tok engine.Token) string {
		mark, st := " ", styles.dim
		for wd, id := range s.Targets.WordIDs {
			if tok.ID == id {
				mark, st = glyphs.target, m.wordStyle(wd)
			}
		}
		text := tokenText(tok.Token)
		return st.Render(mark+text) + strings.Repeat(" ", tw-width(text)) + fmt.Sprintf(" %*.2f", numW, tok.Logit)
	}
	for r := range ranks {
		row := fmt.Sprintf("%2d ", r+1)
		if len(preds) > 0 && r < len(preds[0][t][p]) {
			row += cell(preds[0][t][p][r])
		} else {
			row += strings.Repeat(" ", colW)
		}
		if len(preds) > 1 && r < len(preds[1][t][p]) {
			tok := preds[1][t][p][r]
			row += strings.Repeat(" ", panelGap) + cell(tok) + " " + rankChange(preds[0][t][p], tok.ID, r)
		}
		lines = append(lines, row)
	}
	return lines
}

// rankChange says how token id moved to rank r from its clean rank among clean: "↑2", "↓1",
// "" when unchanged, "new" when it was not among the clean top K.
func rankChange(clean []engine.Token, id, r int) string {
	i := slices.IndexFunc(clean, func(t engine.Token) bool { return t.ID == id })
	switch {
	case i < 0:
		return styles.accent.Render("new")
	case i > r:
		return fmt.Sprintf("↑%d", i-r)
	case i < r:
		return fmt.Sprintf("↓%d", r-i)
	}
	return ""
}

// topKStatus says what is missing, if anything: predictions not computed yet or failed, or a
// lesion of marked layers, which has no top-k of its own.
func (m *Model) topKStatus() string {
	for _, k := range []jobKey{m.cleanTopKKey(), m.topKKey(m.layer, m.mode)} {
		if k.kind == jobTopK && !m.lesionOn {
			break
		}
		switch m.jobState(k) {
		case jobFailed:
			return styles.bad.Render("top-k failed: " + m.res.errs[k].Error())
		case jobPending:
			return m.spin.View() + fmt.Sprintf(" computing the top %d at the masks…", m.predK)
		}
	}
	if m.markedKey() != "" && m.lesionOn {
		return styles.dim.Render(fmt.Sprintf("lesioned: %s alone (marked layers have no joint top-k)", m.layerName(m.layer)))
	}
	return ""
}

// topKLines are the pane's lines at width w in at most h rows (h < 0: no limit) and what was
// left out.
func (m *Model) topKLines(w, h int) ([]string, string) {
	var lines []string
	if st := m.topKStatus(); st != "" {
		lines = wrapText(st, w)
	}
	ranks := m.predK
	note := ""
	if h >= 0 && len(lines)+2+ranks > h {
		ranks = max(1, h-len(lines)-2)
		note = fmt.Sprintf("ranks %d–%d: z", ranks+1, m.predK)
	}
	texts := m.topKTexts(w)
	panels := make([][]string, len(texts))
	for i, t := range texts {
		panels[i] = m.topKPanel(t, ranks)
	}
	for row := range panels[0] {
		var b strings.Builder
		for i, p := range panels {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", panelGap))
			}
			b.WriteString(p[row] + strings.Repeat(" ", max(0, m.topKPanelW()-width(p[row]))))
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	if len(texts) == 1 {
		note = joinNote(note, "other text: 2/3")
	}
	return lines, note
}

func (topKPane) name() string { return "Top-k" }

func (topKPane) title(m *Model) string {
	if !m.lesionOn {
		return fmt.Sprintf("Top-%d predictions at [MASK], clean", m.predK)
	}
	return fmt.Sprintf("Top-%d predictions at [MASK], clean and under the %s-tuned lesion of %s", m.predK, m.mode, m.layerName(m.layer))
}

func (topKPane) summary(m *Model) []string {
	preds := m.shownPredictions()
	t := max(1, m.text)
	var items []string
	for i, name := range []string{"clean", "lesioned"} {
		if i < len(preds) && len(preds[i][t][t-1]) > 0 {
			items = append(items, fmt.Sprintf("%d %s: %s", t+1, name, tokenText(preds[i][t][t-1][0].Token)))
		}
	}
	return items
}

func (topKPane) heights(m *Model, w int) (int, int) {
	lines, _ := m.topKLines(w-2, -1)
	return 2 + len(lines) - m.predK + min(3, m.predK), 2 + len(lines)
}

func (topKPane) view(m *Model, f *frame, w, h int) ([]string, string) { return m.topKLines(w, h) }

func (topKPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	ev, ok := msg.(paneMouse)
	if !ok {
		return nil, false
	}
	if !m.wheel(ev.MouseMsg) && leftClick(ev.MouseMsg) {
		r := m.layout().panes[paneTopK]
		if texts := m.topKTexts(r.w - 2); len(texts) == 2 {
			m.text = 1 + min(1, ev.x/(m.topKPanelW()+panelGap))
		}
	}
	return nil, true
}
