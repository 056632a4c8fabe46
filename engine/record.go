package engine

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"lesionui/engine/stats"
)

// recordKeys are the fixed keys of a layer entry of the record, which group words (keys of the
// same objects) must not take.
var recordKeys = []string{"layer", "t", "p", "q"}

// RecordFormat names the version of the JSON layout written by WriteJSON.
const RecordFormat = "lesionui-study/1"

// Record is the whole study as `lesionui run --json` and `lesionui report` write it. The layout is
// stable within a RecordFormat; README.md documents it. Keys named for the words (the significant
// sets, the lesioned sets and the impacts) follow the contrast set in use: "him"/"her" for the
// notebook's.
type Record struct {
	Format     string           `json:"format"`
	Model      ModelInfo        `json:"model"`
	Sentences  SetInfo          `json:"sentences"`
	Test       TestInfo         `json:"test"`
	Alpha      float64          `json:"alpha"`
	TTest      string           `json:"ttest"`      // "student" or "welch"
	Correction string           `json:"correction"` // "bh" or "bonferroni"
	Activation string           `json:"activation"` // "pre-gelu" or "post-gelu"
	Layers     []map[string]any `json:"layers"`
	Clean      Logits           `json:"clean"`
	// Lesions holds one entry per layer for each mode, "most" and "least".
	Lesions map[string][]map[string]any `json:"lesions"`
	Timing  map[string]float64          `json:"timing"` // load_s, collect_s, stats_s, lesions_s
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

// Record gathers the study, its sweeps ([mode][layer] in Modes order, as Sweep returns them)
// and the phase timings into a Record. modelName is the name the user gave (Hub id or path).
func (s *Study) Record(modelName string, sweeps [][]LesionResult, load, lesions time.Duration) *Record {
	c := s.Model.Config
	t := s.Targets
	r := &Record{
		Format: RecordFormat,
		Model: ModelInfo{Name: modelName, Dir: s.Model.Dir, Layers: c.NumHiddenLayers, HiddenSize: c.HiddenSize,
			IntermediateSize: c.IntermediateSize, VocabSize: c.VocabSize},
		Sentences: SetInfo{Name: s.Set.Name, Source: s.Set.Source, Words: [2]string{s.Set.A.Word, s.Set.B.Word},
			Counts: [2]int{len(s.Set.A.Sentences), len(s.Set.B.Sentences)}, IDs: t.GroupIDs, Positions: t.Positions},
		Test: TestInfo{Texts: [3]string{s.Set.Clean.Text, s.Set.Masked[0].Text, s.Set.Masked[1].Text},
			Words: t.Words, WordIDs: t.WordIDs, MaskPositions: t.MaskPositions, TokenIDs: t.TestIDs},
		Alpha:      s.Options.Alpha,
		TTest:      map[stats.Kind]string{stats.Student: "student", stats.Welch: "welch"}[s.Options.Test],
		Correction: map[stats.Correction]string{stats.BenjaminiHochberg: "bh", stats.Bonferroni: "bonferroni"}[s.Options.Correction],
		Activation: map[bool]string{false: "pre-gelu", true: "post-gelu"}[s.Options.PostGELU],
		Clean:      s.Clean,
		Lesions:    map[string][]map[string]any{},
		Warnings:   append([]Warning{}, s.Warnings...),
		Timing: map[string]float64{"load_s": load.Seconds(), "collect_s": s.Timing.Collect.Seconds(),
			"stats_s": s.Timing.Stats.Seconds(), "lesions_s": lesions.Seconds()},
	}
	for _, lt := range s.Layers {
		r.Layers = append(r.Layers, map[string]any{
			"layer": lt.Layer, "t": Floats(lt.T), "p": Floats(lt.P), "q": Floats(lt.Q),
			s.Set.A.Word: nonNil(lt.A), s.Set.B.Word: nonNil(lt.B),
		})
	}
	for i, results := range sweeps {
		var entries []map[string]any
		for _, l := range results {
			entries = append(entries, map[string]any{
				"layer": l.Layer, "ablated": l.Ablated, "delta": l.Delta, "magnitude": l.Magnitude,
				t.Words[0] + "_impact": l.Impact[0], t.Words[1] + "_impact": l.Impact[1],
				"neurons": map[string][]int{t.Words[0]: nonNil(l.Neurons[0]), t.Words[1]: nonNil(l.Neurons[1])},
			})
		}
		r.Lesions[Modes[i].String()] = entries
	}
	return r
}

// WriteJSON writes the record as indented JSON.
func (r *Record) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// nonNil makes empty sets encode as [] rather than null.
func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}
