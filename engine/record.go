package engine

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"lesionui/engine/stats"
)

// RecordFormat names the version of the JSON layout written by WriteJSON. Version 2 moved the
// word-keyed sets under their own keys ("sets", "units", "values"), replaced the per-word impact
// keys by "impact" and added "g", the design ("units", "ablation", "seed"), "baseline", "eval"
// and "topk"; readers of "lesionui-study/1" must be updated.
const RecordFormat = "lesionui-study/2"

// Record is the whole study as `lesionui run --json` and `lesionui report` write it. The layout is
// stable within a RecordFormat; README.md documents it. Objects keyed by words (WordSets,
// WordValues) follow the contrast set in use ("him"/"her" for the notebook's) and live under keys
// of their own, so that any word is allowed.
type Record struct {
	Format     string               `json:"format"`
	Model      ModelInfo            `json:"model"`
	Sentences  SetInfo              `json:"sentences"`
	Test       TestInfo             `json:"test"`
	Alpha      float64              `json:"alpha"`
	TTest      string               `json:"ttest"`      // "student" or "welch"
	Correction string               `json:"correction"` // "bh" or "bonferroni"
	Activation string               `json:"activation"` // "pre-gelu" or "post-gelu"
	Units      string               `json:"units"`      // "significant" or "top=K"
	Ablation   string               `json:"ablation"`   // "zero", "mean", "scale=F" or "patch"
	Seed       uint64               `json:"seed"`
	Layers     []LayerInfo          `json:"layers"`
	Clean      Logits               `json:"clean"`
	Lesions    ByMode[[]LesionInfo] `json:"lesions"`
	TopK       *TopKInfo            `json:"topk,omitempty"`
	Baseline   []BaselineInfo       `json:"baseline,omitempty"`
	Eval       *EvalInfo            `json:"eval,omitempty"`
	Timing     TimingInfo           `json:"timing"`
	// Warnings are the study's warnings ([] if none).
	Warnings []Warning `json:"warnings"`
}

// ModelInfo describes the model a study ran on.
type ModelInfo struct {
	Name             string `json:"name"`
	Dir              string `json:"dir"`
	Layers           int    `json:"layers"`
	HiddenSize       int    `json:"hidden_size"`
	IntermediateSize int    `json:"intermediate_size"`
	VocabSize        int    `json:"vocab_size"`
	// Family is the architecture family ("BERT", "RoBERTa", "ALBERT", …) and ModelType
	// config.json's model_type.
	Family    string `json:"family"`
	ModelType string `json:"model_type"`
	// SharedLayer is set when one layer's weights run Layers times (ALBERT): every "layer" of
	// the record is then a repetition of that one layer, and unit u is the same neuron in each.
	SharedLayer bool `json:"shared_layer"`
}

// SetInfo describes the contrast set.
type SetInfo struct {
	Name   string    `json:"name"`
	Source string    `json:"source"`
	Words  [2]string `json:"words"`     // group A, group B
	Counts [2]int    `json:"counts"`    // sentences per group
	IDs    [2]int    `json:"token_ids"` // token ids of the group words
	// Positions is the target token's position in each sentence, group A first.
	Positions []int `json:"positions"`
}

// TestInfo describes the test texts and where the logits are read.
type TestInfo struct {
	Texts         [3]string `json:"texts"`          // clean, masked word 0, masked word 1
	Words         [2]string `json:"words"`          // logit word order
	WordIDs       [2]int    `json:"word_ids"`       // their token ids
	MaskPositions [2]int    `json:"mask_positions"` // [MASK] position of texts 1 and 2
	TokenIDs      [3][]int  `json:"token_ids"`
}

// WordSets are units keyed by word: {"him": [...], "her": [...]}.
type WordSets map[string][]int

// WordValues are values keyed by word, in the order of the matching WordSets.
type WordValues map[string][]float32

// ByMode holds one value per sweep mode.
type ByMode[T any] struct {
	Most  T `json:"most"`
	Least T `json:"least"`
}

// LayerInfo is one layer's statistics.
type LayerInfo struct {
	Layer int    `json:"layer"`
	T     Floats `json:"t"`
	P     Floats `json:"p"`
	Q     Floats `json:"q"`
	G     Floats `json:"g"`
	// Sets are the FDR-significant units of each direction, whatever --units selects.
	Sets WordSets `json:"sets"`
}

// LesionInfo is one layer's lesion of one mode.
type LesionInfo struct {
	Layer int `json:"layer"`
	// Units are the units changed at each word's mask; Values what they were set to (mean and
	// patch only).
	Units     WordSets   `json:"units"`
	Values    WordValues `json:"values,omitempty"`
	Ablated   Logits     `json:"ablated"`
	Delta     Logits     `json:"delta"`
	Magnitude float64    `json:"magnitude"`
	Impact    [2]float64 `json:"impact"` // test-word order: Delta[1][0][0], Delta[2][1][1]
}

// BaselineInfo is one layer's random baseline.
type BaselineInfo struct {
	Layer      int        `json:"layer"`
	Percentile float64    `json:"percentile"` // 0–100: the share of draws whose magnitude is below the most-tuned one
	Draws      []DrawInfo `json:"draws"`
}

// DrawInfo is one random draw.
type DrawInfo struct {
	Units     WordSets   `json:"units"`
	Magnitude float64    `json:"magnitude"`
	Impact    [2]float64 `json:"impact"`
}

// EvalInfo is the evaluation set and its lesions.
type EvalInfo struct {
	Name   string           `json:"name"`
	Source string           `json:"source"`
	Items  []EvalItemInfo   `json:"items"`
	Clean  []WordLogitsInfo `json:"clean"`
	Layers []EvalLayerInfo  `json:"layers"`
}

// EvalItemInfo is one evaluation item.
type EvalItemInfo struct {
	Text         string `json:"text"`
	Word         string `json:"word"`
	MaskPosition int    `json:"mask_position"`
	TokenIDs     []int  `json:"token_ids"`
}

// WordLogitsInfo is an item's clean logits of its answer and of the other word.
type WordLogitsInfo struct {
	Answer float64 `json:"answer"`
	Other  float64 `json:"other"`
}

// EvalLayerInfo is one layer's lesion of one mode on the evaluation set.
type EvalLayerInfo struct {
	Layer            int        `json:"layer"`
	Mode             string     `json:"mode"`
	MarginDelta      float64    `json:"margin_delta"`
	CI               [2]float64 `json:"ci"`
	AccuracyClean    float64    `json:"accuracy_clean"`
	AccuracyLesioned float64    `json:"accuracy_lesioned"`
	Flips            int        `json:"flips"`
}

// TopKInfo holds the top-k predictions: Clean[text][mask] and Lesioned[mode][layer][text][mask].
type TopKInfo struct {
	K        int                         `json:"k"`
	Clean    [3][2][]TokenInfo           `json:"clean"`
	Lesioned ByMode[[][3][2][]TokenInfo] `json:"lesioned"`
}

// TokenInfo is one predicted token.
type TokenInfo struct {
	Token string  `json:"token"`
	ID    int     `json:"id"`
	Logit float64 `json:"logit"`
}

// TimingInfo records the phases' durations in seconds (zero for phases that did not run). The
// top-k predictions are read in the lesions' passes, so lesions_s includes them.
type TimingInfo struct {
	Load     float64 `json:"load_s"`
	Collect  float64 `json:"collect_s"`
	Stats    float64 `json:"stats_s"`
	Lesions  float64 `json:"lesions_s"`
	Baseline float64 `json:"baseline_s"`
	Eval     float64 `json:"eval_s"`
}

// Floats is a float64 slice that encodes non-finite values (t = ±Inf for zero-variance units
// with different means) as null, which JSON requires.
type Floats []float64

// MarshalJSON implements json.Marshaler.
func (f Floats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 12*len(f)+2)
	b = append(b, '[')
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

// Record gathers the study and a run's results (Study.Run) into a Record. modelName is the name
// the user gave (Hub id or path); load is how long loading the model took. Sweeps and top-k
// predictions are read in Modes order; a nil res records the statistics alone.
func (s *Study) Record(modelName string, res *Results, load time.Duration) *Record {
	if res == nil {
		res = &Results{}
	}
	c := s.Model.Config
	t := s.Targets
	d := res.Design
	r := &Record{
		Format: RecordFormat,
		Model: ModelInfo{Name: modelName, Dir: s.Model.Dir, Layers: c.NumHiddenLayers, HiddenSize: c.HiddenSize,
			IntermediateSize: c.IntermediateSize, VocabSize: c.VocabSize,
			Family: s.Model.Arch.Family, ModelType: s.Model.Arch.ModelType, SharedLayer: s.Model.Arch.SharedLayer},
		Sentences: SetInfo{Name: s.Set.Name, Source: s.Set.Source, Words: [2]string{s.Set.A.Word, s.Set.B.Word},
			Counts: [2]int{len(s.Set.A.Sentences), len(s.Set.B.Sentences)}, IDs: t.GroupIDs, Positions: t.Positions},
		Test: TestInfo{Texts: [3]string{s.Set.Clean.Text, s.Set.Masked[0].Text, s.Set.Masked[1].Text},
			Words: t.Words, WordIDs: t.WordIDs, MaskPositions: t.MaskPositions, TokenIDs: t.TestIDs},
		Alpha:      s.Options.Alpha,
		TTest:      map[stats.Kind]string{stats.Student: "student", stats.Welch: "welch"}[s.Options.Test],
		Correction: map[stats.Correction]string{stats.BenjaminiHochberg: "bh", stats.Bonferroni: "bonferroni"}[s.Options.Correction],
		Activation: map[bool]string{false: "pre-gelu", true: "post-gelu"}[s.Options.PostGELU],
		Units:      d.Units.String(),
		Ablation:   d.Ablation.String(),
		Seed:       d.Seed,
		Clean:      s.Clean,
		Warnings:   append([]Warning{}, s.Warnings...),
		Timing: TimingInfo{Load: load.Seconds(), Collect: s.Timing.Collect.Seconds(), Stats: s.Timing.Stats.Seconds(),
			Lesions: res.Timing.Sweep.Seconds(), Baseline: res.Timing.Baseline.Seconds(), Eval: res.Timing.Eval.Seconds()},
	}
	for _, lt := range s.Layers {
		r.Layers = append(r.Layers, LayerInfo{Layer: lt.Layer, T: lt.T, P: lt.P, Q: lt.Q, G: lt.G,
			Sets: WordSets{s.Set.A.Word: nonNil(lt.A), s.Set.B.Word: nonNil(lt.B)}})
	}
	lesions := [2][]LesionInfo{}
	for i, results := range res.Sweeps[:min(len(res.Sweeps), len(lesions))] {
		for _, l := range results {
			lesions[i] = append(lesions[i], LesionInfo{Layer: l.Layer, Units: s.wordSets(l.Units), Values: s.wordValues(l.Values),
				Ablated: l.Ablated, Delta: l.Delta, Magnitude: l.Magnitude, Impact: l.Impact})
		}
	}
	r.Lesions = ByMode[[]LesionInfo]{Most: nonNil(lesions[0]), Least: nonNil(lesions[1])}
	for _, b := range res.Baseline {
		bi := BaselineInfo{Layer: b.Layer, Percentile: b.Percentile}
		for _, d := range b.Draws {
			bi.Draws = append(bi.Draws, DrawInfo{Units: s.wordSets(d.Units), Magnitude: d.Magnitude, Impact: d.Impact})
		}
		r.Baseline = append(r.Baseline, bi)
	}
	if e := res.Evaluation; e != nil {
		r.Eval = evalInfo(e, res.Eval)
	}
	if res.TopK != nil {
		r.TopK = &TopKInfo{K: d.TopK, Clean: tokenInfo(res.CleanTopK)}
		var modes [2][][3][2][]TokenInfo
		for i, layers := range res.TopK[:min(len(res.TopK), len(modes))] {
			for _, p := range layers {
				modes[i] = append(modes[i], tokenInfo(p))
			}
		}
		r.TopK.Lesioned = ByMode[[][3][2][]TokenInfo]{Most: modes[0], Least: modes[1]}
	}
	return r
}

// evalInfo is the record of an evaluation set and its lesions ([mode][layer], Modes order),
// layers in layer order with both modes of a layer together.
func evalInfo(e *Evaluation, results [][]EvalResult) *EvalInfo {
	info := &EvalInfo{Name: e.Set.Name, Source: e.Set.Source}
	for i, it := range e.Items {
		info.Items = append(info.Items, EvalItemInfo{Text: it.Text, Word: it.Word, MaskPosition: it.MaskPosition, TokenIDs: it.TokenIDs})
		info.Clean = append(info.Clean, WordLogitsInfo{Answer: e.Clean[i].Answer, Other: e.Clean[i].Other})
	}
	if len(results) == 0 {
		return info
	}
	for l := range results[0] {
		for _, byLayer := range results {
			r := byLayer[l]
			info.Layers = append(info.Layers, EvalLayerInfo{Layer: r.Layer, Mode: r.Request.Mode.String(), MarginDelta: r.MarginDelta,
				CI: r.CI, AccuracyClean: r.AccuracyClean, AccuracyLesioned: r.AccuracyLesioned, Flips: r.Flips})
		}
	}
	return info
}

// wordSets keys sets in test-word (Masked) order by their words.
func (s *Study) wordSets(sets [2][]int) WordSets {
	return WordSets{s.Targets.Words[0]: nonNil(sets[0]), s.Targets.Words[1]: nonNil(sets[1])}
}

// wordValues keys values in test-word order by their words; nil when there are none.
func (s *Study) wordValues(v [2][]float32) WordValues {
	if v[0] == nil && v[1] == nil {
		return nil
	}
	out := WordValues{}
	for k, w := range s.Targets.Words {
		out[w] = v[k]
		if v[k] == nil {
			out[w] = []float32{}
		}
	}
	return out
}

// tokenInfo converts predictions for the record.
func tokenInfo(p Predictions) [3][2][]TokenInfo {
	var out [3][2][]TokenInfo
	for t := range p {
		for m := range p[t] {
			out[t][m] = []TokenInfo{}
			for _, tok := range p[t][m] {
				out[t][m] = append(out[t][m], TokenInfo{Token: tok.Token, ID: tok.ID, Logit: tok.Logit})
			}
		}
	}
	return out
}

// WriteJSON writes the record as indented JSON.
func (r *Record) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
