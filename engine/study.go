// Package engine is the lesioning study of the notebook (SPEC.md), on top of engine/encoder and
// engine/stats: record the MLP expansion at the target word of two contrasting sentence groups
// in every layer, t-test every unit, pick the significant units of each direction, and zero
// them at the [MASK] of the test texts to see how the logits of the two words move, layer by
// layer, against a control of equally many least-tuned units.
//
// Words and indices follow the notebook. Group A ("him") is tested against group B ("her"), so
// t > 0 means the unit prefers A. Logits are laid out [text][mask position][word]: texts are
// the clean text and the two masked ones (Masked[0] masks "her", Masked[1] masks "him"); mask
// positions and words are both in Masked order (her, him).
package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"lesionui/engine/encoder"
	"lesionui/engine/encoder/tokenize"
	"lesionui/engine/linalg"
	"lesionui/engine/stats"
	"lesionui/sentences"
)

// Options configure the statistics of a study.
type Options struct {
	Alpha      float64          // significance level for the corrected p-values; 0 means DefaultAlpha
	Test       stats.Kind       // Student (pooled variance, the notebook's) or Welch
	Correction stats.Correction // BenjaminiHochberg (the notebook's FDR) or Bonferroni
	PostGELU   bool             // record the expansion after GELU instead of before (lesions stay pre-GELU)
}

// DefaultAlpha is the notebook's FDR level.
const DefaultAlpha = 0.05

// withDefaults returns o with a zero Alpha replaced by DefaultAlpha.
func (o Options) withDefaults() Options {
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	return o
}

// Targets are the token facts of a study.
type Targets struct {
	// GroupIDs are the token ids of the group words, A then B.
	GroupIDs [2]int
	// Positions is the target token's position in each sentence, group A's sentences first.
	Positions []int
	// Words are the words whose logits are read, in logit order: the words masked in
	// Masked[0] and Masked[1] (the notebook's her, him).
	Words [2]string
	// WordIDs are the token ids of Words.
	WordIDs [2]int
	// MaskPositions are the [MASK] positions of Masked[0] and Masked[1] (mher, mhim).
	MaskPositions [2]int
	// TestIDs are the token ids of the clean and the two masked test texts.
	TestIDs [3][]int
}

// LayerTest is the t-test of every expansion unit of one layer.
type LayerTest struct {
	Layer   int
	T, P, Q []float64 // per unit: t (A − B), two-sided p, corrected p
	A, B    []int     // significant units with t > 0 (prefer A) and t < 0 (prefer B), ascending
	// ByTuning lists the units by ascending |t|, ties by index and NaN last: the least-tuned
	// first (the notebook's np.argsort(abs(t))).
	ByTuning []int
}

// Class is what a unit's t-test says about it.
type Class int

// The classes, in the order of the notebook's pie.
const (
	PrefersA       Class = iota // significant with t > 0: the notebook's "him" neurons
	PrefersB                    // significant with t < 0: the "her" neurons
	NotSignificant              // the rest
)

// Classes returns the class of every unit of the layer.
func (lt LayerTest) Classes() []Class {
	c := make([]Class, len(lt.T))
	for i := range c {
		c[i] = NotSignificant
	}
	for _, u := range lt.A {
		c[u] = PrefersA
	}
	for _, u := range lt.B {
		c[u] = PrefersB
	}
	return c
}

// Logits holds the notebook's target logits: [text][mask position][word].
type Logits [3][2][2]float64

// Mode selects which units a lesion zeroes.
type Mode int

const (
	// MostTuned zeroes the significant units of each word (the notebook's Part 5).
	MostTuned Mode = iota
	// LeastTuned zeroes as many units, taken in ascending |t| (the control of Part 7).
	LeastTuned
)

// Modes lists both modes, in report order.
var Modes = []Mode{MostTuned, LeastTuned}

// String names the mode as the JSON record does: "most" or "least".
func (m Mode) String() string {
	if m == LeastTuned {
		return "least"
	}
	return "most"
}

// LesionResult is the outcome of one lesion.
type LesionResult struct {
	Layer int
	Mode  Mode
	// Neurons are the units zeroed at the mask of Masked[0] and Masked[1].
	Neurons [2][]int
	Ablated Logits
	Delta   Logits // clean − ablated
	// Magnitude is the mean |Delta| over all 12 entries.
	Magnitude float64
	// Impact is the signed change of each word's logit at its own mask, in text with that mask:
	// Delta[1][0][0] (her) and Delta[2][1][1] (him).
	Impact [2]float64
}

// Timing records how long New's phases took.
type Timing struct {
	Collect, Stats time.Duration
}

// Study is the study of one model on one contrast set. Its methods may be called concurrently.
type Study struct {
	Model   *encoder.Model
	Set     *sentences.ContrastSet
	Options Options
	Targets Targets
	Layers  []LayerTest
	Clean   Logits
	Timing  Timing
	// Warnings say what makes the statistics less than they seem (nil if nothing does).
	Warnings []Warning

	sentenceIDs [][]int        // token ids of every sentence, group A's first
	acts        [][]float32    // [layer][sentence · unit], group A's sentences first
	trace       *encoder.Trace // clean pass over the test texts
}

// New validates the contrast set against the model's vocabulary, runs the sentences through the
// model (one batched pass recording every layer), tests every unit and reads the clean logits of
// the test texts. progress may be nil.
func New(ctx context.Context, m *encoder.Model, set *sentences.ContrastSet, opt Options, progress func(Progress)) (*Study, error) {
	if err := set.Validate(vocabulary{m}); err != nil {
		return nil, err
	}
	for _, w := range []string{set.A.Word, set.B.Word} {
		if slices.Contains(recordKeys, w) {
			return nil, fmt.Errorf("%s: the group word %q is also a key of the study's JSON record (%v); choose another word", set.Name, w, recordKeys)
		}
	}
	s := &Study{Model: m, Set: set, Options: opt.withDefaults()}
	if err := s.locateTargets(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.collect(ctx, progress); err != nil {
		return nil, err
	}
	if err := s.checkActivations(); err != nil {
		return nil, err
	}
	s.Timing.Collect = time.Since(start)
	start = time.Now()
	s.Layers = s.test(s.Options)
	s.Warnings = s.warnings()
	s.Timing.Stats = time.Since(start)
	clean, err := m.Forward(ctx, s.Targets.TestIDs[:], encoder.Options{Logits: s.maskSites(), Vocab: s.Targets.WordIDs[:], Trace: true})
	if err != nil {
		return nil, err
	}
	s.trace = clean.Trace
	s.Clean = targetLogits(clean.Logits)
	if err := s.checkLogits(s.Clean, "the clean pass"); err != nil {
		return nil, err
	}
	return s, nil
}

// WithOptions returns the study with its statistics redone under opt (a new t-test variant,
// alpha or correction), sharing the recorded activations and the clean pass. PostGELU cannot
// change: it would need a new recording.
func (s *Study) WithOptions(opt Options) (*Study, error) {
	if opt.PostGELU != s.Options.PostGELU {
		return nil, errors.New("study: switching pre/post-GELU needs new activations; build a new study")
	}
	c := *s
	c.Options = opt.withDefaults()
	start := time.Now()
	c.Layers = c.test(c.Options)
	c.Warnings = c.warnings()
	c.Timing.Stats = time.Since(start)
	return &c, nil
}

// encode tokenizes a sentence or test text of the set; one longer than the model takes is an
// error at its line.
func (s *Study) encode(text string, line int) ([]int, error) {
	enc, err := s.Model.Tokenizer.Encode(modelText(s.Model.Tokenizer, text))
	if err != nil {
		return nil, err
	}
	if max := s.Model.Config.MaxPositionEmbeddings; len(enc.IDs) > max {
		return nil, &sentences.Error{File: s.Set.Name, Line: line, Msg: fmt.Sprintf("%d tokens, but the model takes at most %d", len(enc.IDs), max)}
	}
	return enc.IDs, nil
}

// locateTargets finds the target token of every sentence and the masks of the test texts
// (Validate has guaranteed each exists exactly once).
func (s *Study) locateTargets() error {
	tok := s.Model.Tokenizer
	t := &s.Targets
	for i, w := range []string{s.Set.A.Word, s.Set.B.Word} {
		id, err := tok.TokenID(w)
		if err != nil {
			return err
		}
		t.GroupIDs[i] = id
	}
	for _, g := range []sentences.Group{s.Set.A, s.Set.B} {
		for _, sen := range g.Sentences {
			ids, err := s.encode(sen.Text, sen.Line)
			if err != nil {
				return err
			}
			s.sentenceIDs = append(s.sentenceIDs, ids)
		}
	}
	nA := len(s.Set.A.Sentences)
	for i, seq := range s.sentenceIDs {
		want := t.GroupIDs[0]
		if i >= nA {
			want = t.GroupIDs[1]
		}
		t.Positions = append(t.Positions, slices.Index(seq, want))
	}
	for i, text := range []sentences.TestText{s.Set.Clean, s.Set.Masked[0], s.Set.Masked[1]} {
		ids, err := s.encode(text.Text, text.Line)
		if err != nil {
			return err
		}
		t.TestIDs[i] = ids
	}
	for k, text := range s.Set.Masked {
		t.Words[k] = text.Word
		t.WordIDs[k] = t.GroupIDs[s.groupOf(text.Word)]
		t.MaskPositions[k] = slices.Index(t.TestIDs[k+1], tok.MaskID())
	}
	return nil
}

// groupOf returns 0 for group A's word, 1 for group B's.
func (s *Study) groupOf(word string) int {
	if word == s.Set.A.Word {
		return 0
	}
	return 1
}

// collect records the expansion at every sentence's target token in every layer, in one pass.
func (s *Study) collect(ctx context.Context, progress func(Progress)) error {
	ids := s.sentenceIDs
	sites := make([]encoder.Site, len(ids))
	for i := range ids {
		sites[i] = encoder.Site{Seq: i, Pos: s.Targets.Positions[i]}
	}
	opt := encoder.Options{Capture: sites, Points: encoder.PreActivation}
	if s.Options.PostGELU {
		opt.Points = encoder.PostActivation
	}
	if progress != nil {
		opt.Progress = func(done, total int) { progress(Progress{Phase: "collect", Done: done, Total: total}) }
	}
	res, err := s.Model.Forward(ctx, ids, opt)
	if err != nil {
		return err
	}
	s.acts = res.Pre
	if s.Options.PostGELU {
		s.acts = res.Post
	}
	return nil
}

// test runs the t-test of every unit in every layer and selects the significant ones, layers
// side by side on the kernels' worker pool.
func (s *Study) test(opt Options) []LayerTest {
	nA, nB := len(s.Set.A.Sentences), len(s.Set.B.Sentences)
	units := s.Model.Config.IntermediateSize
	out := make([]LayerTest, len(s.acts))
	linalg.Parallel(len(s.acts), func(l int) {
		acts := s.acts[l]
		t, p := stats.TTestColumns(acts[:nA*units], nA, acts[nA*units:], nB, units, opt.Test)
		q := stats.Adjust(p, opt.Correction)
		lt := LayerTest{Layer: l, T: t, P: p, Q: q, ByTuning: byTuning(t)}
		for u := range units {
			if q[u] < opt.Alpha {
				switch {
				case t[u] > 0:
					lt.A = append(lt.A, u)
				case t[u] < 0:
					lt.B = append(lt.B, u)
				}
			}
		}
		out[l] = lt
	})
	return out
}

// LesionSet returns the units a lesion in layer zeroes at the mask of Masked[0] and of Masked[1]:
// the significant units of each masked word, or (LeastTuned) as many units in ascending |t|,
// ties broken by index, so that the two control sets overlap as in the notebook.
func (s *Study) LesionSet(layer int, mode Mode) [2][]int {
	lt := s.Layers[layer]
	var sets [2][]int
	for k, w := range s.Targets.Words {
		if s.groupOf(w) == 0 {
			sets[k] = lt.A
		} else {
			sets[k] = lt.B
		}
	}
	if mode == LeastTuned {
		for k := range sets {
			sets[k] = lt.ByTuning[:len(sets[k])]
		}
	}
	return sets
}

// byTuning returns the units sorted by ascending |t|, ties by index (a stable argsort), with
// NaN t last.
func byTuning(t []float64) []int {
	order := make([]int, len(t))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := math.Abs(t[a]), math.Abs(t[b])
		if math.IsNaN(x) || math.IsNaN(y) {
			return cmp.Compare(boolInt(math.IsNaN(x)), boolInt(math.IsNaN(y)))
		}
		return cmp.Compare(x, y)
	})
	return order
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Lesion runs one lesion in layer: it re-runs the two masked texts from that layer with their
// word's units zeroed at their mask.
func (s *Study) Lesion(ctx context.Context, layer int, mode Mode) (LesionResult, error) {
	res, err := s.lesions(ctx, layer, []Mode{mode})
	if err != nil {
		return LesionResult{}, err
	}
	return res[0], nil
}

// lesions runs the given modes of one layer in one resumed pass: two sequences per mode.
func (s *Study) lesions(ctx context.Context, layer int, modes []Mode) ([]LesionResult, error) {
	if layer < 0 || layer >= len(s.Layers) {
		return nil, fmt.Errorf("lesion: layer %d outside 0..%d", layer, len(s.Layers)-1)
	}
	// Each mode re-runs the masked texts whose lesion set is not empty; a text with nothing to
	// zero keeps its clean logits exactly.
	type run struct{ mode, text int } // text 1 or 2
	var runs []run
	var seqs []int
	var les []encoder.Intervention
	var logitSites []encoder.Site
	sets := make([][2][]int, len(modes))
	for i, mode := range modes {
		set := s.LesionSet(layer, mode)
		sets[i] = set
		for k := range 2 {
			if len(set[k]) == 0 {
				continue
			}
			seq := len(seqs)
			runs = append(runs, run{i, k + 1})
			seqs = append(seqs, k+1) // test text k+1 carries the mask of Masked[k]
			les = append(les, encoder.Zero(layer, encoder.Site{Seq: seq, Pos: s.Targets.MaskPositions[k]}, set[k]))
			for _, p := range s.Targets.MaskPositions {
				logitSites = append(logitSites, encoder.Site{Seq: seq, Pos: p})
			}
		}
	}
	ablated := make([]Logits, len(modes))
	for i := range ablated {
		ablated[i] = s.Clean
	}
	if len(seqs) > 0 {
		r, err := s.trace.Resume(ctx, layer, seqs, encoder.Options{Interventions: les, Logits: logitSites, Vocab: s.Targets.WordIDs[:]})
		if err != nil {
			return nil, err
		}
		for j, rn := range runs {
			for p := range 2 {
				for w := range 2 {
					ablated[rn.mode][rn.text][p][w] = float64(r.Logits[2*j+p][w])
				}
			}
		}
	}
	out := make([]LesionResult, len(modes))
	for i, mode := range modes {
		out[i] = s.result(layer, mode, sets[i], ablated[i])
	}
	return out, nil
}

// result derives a lesion's deltas, magnitude and impacts from its ablated logits.
func (s *Study) result(layer int, mode Mode, set [2][]int, ablated Logits) LesionResult {
	r := LesionResult{Layer: layer, Mode: mode, Neurons: set, Ablated: ablated}
	var sum float64
	for t := range 3 {
		for p := range 2 {
			for w := range 2 {
				r.Delta[t][p][w] = s.Clean[t][p][w] - ablated[t][p][w]
				sum += math.Abs(r.Delta[t][p][w])
			}
		}
	}
	r.Magnitude = sum / 12
	r.Impact = [2]float64{r.Delta[1][0][0], r.Delta[2][1][1]}
	return r
}

// Sweep lesions every layer in each of modes (the laminar analysis of Parts 6 and 7),
// [mode][layer]. Both modes of a layer share one resumed pass. progress may be nil.
func (s *Study) Sweep(ctx context.Context, modes []Mode, progress func(Progress)) ([][]LesionResult, error) {
	out := make([][]LesionResult, len(modes))
	for l := range s.Layers {
		res, err := s.lesions(ctx, l, modes)
		if err != nil {
			return nil, err
		}
		for i := range modes {
			out[i] = append(out[i], res[i])
		}
		if progress != nil {
			progress(Progress{Phase: "sweep", Done: l + 1, Total: len(s.Layers)})
		}
	}
	return out, nil
}

// maskSites are the logit sites of the clean pass: both masks of each of the three texts.
func (s *Study) maskSites() []encoder.Site {
	var sites []encoder.Site
	for text := range 3 {
		for _, p := range s.Targets.MaskPositions {
			sites = append(sites, encoder.Site{Seq: text, Pos: p})
		}
	}
	return sites
}

// targetLogits arranges the logits of the clean pass's sites (both masks of each text, in
// maskSites order) into the [text][position][word] layout.
func targetLogits(logits [][]float32) Logits {
	var out Logits
	for t := range 3 {
		for p := range 2 {
			for w := range 2 {
				out[t][p][w] = float64(logits[2*t+p][w])
			}
		}
	}
	return out
}

// modelText replaces the [MASK] of lesionui's sentence files by the model's mask token
// (<mask> in RoBERTa and XLM-R).
func modelText(tok *tokenize.Tokenizer, text string) string {
	return strings.ReplaceAll(text, sentences.Mask, tok.MaskToken())
}

// vocabulary adapts the model's tokenizer to sentences.Vocabulary.
type vocabulary struct{ m *encoder.Model }

// Tokens returns the word pieces of text, without the special tokens that Encode adds around
// it, the model's mask token spelt [MASK].
func (v vocabulary) Tokens(text string) ([]string, error) {
	tok := v.m.Tokenizer
	enc, err := tok.Encode(modelText(tok, text))
	if err != nil {
		return nil, err
	}
	toks := enc.Tokens[1 : len(enc.Tokens)-1]
	for i, t := range toks {
		if t == tok.MaskToken() {
			toks[i] = sentences.Mask
		}
	}
	return toks, nil
}

// WordToken returns the token of a single-token word as it appears inside a sentence.
func (v vocabulary) WordToken(word string) (string, error) {
	id, err := v.m.Tokenizer.TokenID(word)
	if err != nil {
		return "", err
	}
	return v.m.Tokenizer.Token(id), nil
}
