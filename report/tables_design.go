package report

import (
	"strconv"
	"strings"

	"lesionui/engine"
)

// designTables are the CSV tables of what the run computed beyond the notebook, by file name.
func (d *study) designTables() []namedTable {
	var out []namedTable
	if d.res.Baseline != nil {
		out = append(out, namedTable{"baseline.csv", d.baselineTable()})
	}
	if d.res.Evaluation != nil {
		out = append(out, namedTable{"eval.csv", d.evalTable()}, namedTable{"eval_items.csv", d.evalItemsTable()})
	}
	if d.res.TopK != nil {
		out = append(out, namedTable{"topk.csv", d.topkTable()})
	}
	return out
}

// namedTable is a CSV file's name and rows (the first the header).
type namedTable struct {
	name string
	rows [][]string
}

// unitList writes units as one space-separated field.
func unitList(units []int) string {
	s := make([]string, len(units))
	for i, u := range units {
		s[i] = strconv.Itoa(u)
	}
	return strings.Join(s, " ")
}

// baselineTable is one row per layer and random draw (draw "most" is the most-tuned lesion the
// draws are compared with): magnitude, each word's impact and the units changed at each mask.
func (d *study) baselineTable() [][]string {
	w := d.s.Targets.Words
	rows := [][]string{{"layer", "draw", "magnitude", w[0] + "_impact", w[1] + "_impact", w[0] + "_units", w[1] + "_units", "most_percentile"}}
	for _, b := range d.res.Baseline {
		ls, pct := strconv.Itoa(b.Layer), num(b.Percentile)
		row := func(draw string, r engine.LesionResult) []string {
			return []string{ls, draw, num(r.Magnitude), num(r.Impact[0]), num(r.Impact[1]), unitList(r.Units[0]), unitList(r.Units[1]), pct}
		}
		rows = append(rows, row("most", b.Most))
		for i, r := range b.Draws {
			rows = append(rows, row(strconv.Itoa(i), r))
		}
	}
	return rows
}

// evalTable is one row per layer and mode of the evaluation set.
func (d *study) evalTable() [][]string {
	rows := [][]string{{"layer", "mode", "margin_delta", "ci_low", "ci_high", "accuracy_clean", "accuracy_lesioned", "flips", "items"}}
	for l := range d.s.Layers {
		for _, rs := range d.res.Eval {
			r := rs[l]
			rows = append(rows, []string{strconv.Itoa(r.Layer), r.Request.Mode.String(), num(r.MarginDelta), num(r.CI[0]), num(r.CI[1]),
				num(r.AccuracyClean), num(r.AccuracyLesioned), strconv.Itoa(r.Flips), strconv.Itoa(len(r.Lesioned))})
		}
	}
	return rows
}

// evalItemsTable is the long table of the evaluation items: one row per mode, layer and item with
// the clean and lesioned logits of the answer and of the other word.
func (d *study) evalItemsTable() [][]string {
	e := d.res.Evaluation
	rows := [][]string{{"mode", "layer", "item", "line", "word", "text", "clean_answer", "clean_other", "lesioned_answer", "lesioned_other", "margin_delta"}}
	for _, rs := range d.res.Eval {
		for _, r := range rs {
			mode, ls := r.Request.Mode.String(), strconv.Itoa(r.Layer)
			for i, it := range e.Items {
				c, les := e.Clean[i], r.Lesioned[i]
				rows = append(rows, []string{mode, ls, strconv.Itoa(i), strconv.Itoa(it.Line), it.Word, it.Text,
					num(c.Answer), num(c.Other), num(les.Answer), num(les.Other), num(c.Margin() - les.Margin())})
			}
		}
	}
	return rows
}

// topkTable is the long table of the top-k predictions: mode ("clean", or the lesion's mode with
// its layer), text, mask position (named by its masked word), rank, token, id and logit.
func (d *study) topkTable() [][]string {
	w := d.s.Targets.Words
	texts := d.textNames()
	rows := [][]string{{"mode", "layer", "text", "position", "rank", "token", "id", "logit"}}
	add := func(mode, layer string, p engine.Predictions) {
		for t := range 3 {
			for pos := range 2 {
				for rank, tok := range p[t][pos] {
					rows = append(rows, []string{mode, layer, texts[t], w[pos], strconv.Itoa(rank + 1), tok.Token, strconv.Itoa(tok.ID), num(tok.Logit)})
				}
			}
		}
	}
	add("clean", "", d.res.CleanTopK)
	for i, layers := range d.res.TopK {
		for l, p := range layers {
			add(engine.Modes[i].String(), strconv.Itoa(l), p)
		}
	}
	return rows
}
