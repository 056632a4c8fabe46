package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"

	"lesionui/engine"
)

// num formats a number so that strconv.ParseFloat gives it back exactly (±Inf as "+Inf"/"-Inf").
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// table writes rows (the first is the header) as CSV.
func table(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layersTable is one row per layer: significant counts and percentages of each group, and the
// magnitude and impacts of both lesion modes.
func (d *study) layersTable() [][]string {
	g, w := d.groups(), d.s.Targets.Words
	header := []string{"layer", "units", "sig_" + g[0], "sig_" + g[1], "pct_" + g[0], "pct_" + g[1]}
	for _, m := range engine.Modes {
		header = append(header, m.String()+"_magnitude", m.String()+"_"+w[0]+"_impact", m.String()+"_"+w[1]+"_impact")
	}
	rows := [][]string{header}
	for l, lt := range d.s.Layers {
		units := len(lt.T)
		row := []string{strconv.Itoa(l), strconv.Itoa(units), strconv.Itoa(len(lt.A)), strconv.Itoa(len(lt.B)),
			num(100 * float64(len(lt.A)) / float64(units)), num(100 * float64(len(lt.B)) / float64(units))}
		for _, rs := range d.sweeps {
			r := rs[l]
			row = append(row, num(r.Magnitude), num(r.Impact[0]), num(r.Impact[1]))
		}
		rows = append(rows, row)
	}
	return rows
}

// unitsTable is one row per layer and unit: t, p, corrected q, Hedges' g and the class (the
// group word the unit significantly prefers, or "ns").
func (d *study) unitsTable() [][]string {
	g := d.groups()
	names := [3]string{g[0], g[1], "ns"}
	rows := [][]string{{"layer", "unit", "t", "p", "q", "g", "class"}}
	for l, lt := range d.s.Layers {
		cls := lt.Classes()
		ls := strconv.Itoa(l)
		for u := range lt.T {
			rows = append(rows, []string{ls, strconv.Itoa(u), num(lt.T[u]), num(lt.P[u]), num(lt.Q[u]), num(effectSize(lt, u)), names[cls[u]]})
		}
	}
	return rows
}

// effectSize is unit u's Hedges' g, NaN for a layer test without effect sizes.
func effectSize(lt engine.LayerTest, u int) float64 {
	if u < len(lt.G) {
		return lt.G[u]
	}
	return math.NaN()
}

// textNames name the test texts in the logits table: the clean text, then the text with the
// first and the second logit word masked.
func (d *study) textNames() [3]string {
	w := d.s.Targets.Words
	return [3]string{"clean", w[0] + "_mask", w[1] + "_mask"}
}

// logitsTable is the long table of every lesion: one row per mode, layer, text, mask position
// (named by its masked word) and word, with the clean, ablated and clean − ablated logits.
func (d *study) logitsTable() [][]string {
	w := d.s.Targets.Words
	texts := d.textNames()
	rows := [][]string{{"mode", "layer", "text", "position", "word", "clean", "ablated", "delta"}}
	for i, rs := range d.sweeps {
		mode := engine.Modes[i].String()
		for _, r := range rs {
			for t := range 3 {
				for p := range 2 {
					for k := range 2 {
						rows = append(rows, []string{mode, strconv.Itoa(r.Layer), texts[t], w[p], w[k],
							num(d.s.Clean[t][p][k]), num(r.Ablated[t][p][k]), num(r.Delta[t][p][k])})
					}
				}
			}
		}
	}
	return rows
}
