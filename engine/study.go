// Package engine is the lesioning study of the notebook (SPEC.md), on top of engine/encoder and
// engine/stats: record the MLP expansion at the target word of two contrasting sentence groups
// in every layer, t-test every unit, pick the significant units of each direction, and zero
// them at the [MASK] of the test texts to see how the logits of the two words move, layer by
// layer, against a control of equally many least-tuned units.
//
// Around the notebook's study (which stays the default, number for number) the package adds what a
// reader needs before believing a lesion: other unit selections (Selection: the top K by |t|, random
// draws), other ablations (Ablation: mean, scale, patch), a random-unit baseline per layer
// (Study.Baseline), a held-out evaluation set with bootstrap intervals (Study.Evaluate), Hedges' g
// per unit (LayerTest.G) and the top-k predictions at the masks (Study.TopK). Every piece works on
// one layer, takes a context and can run in the background; Study.Run composes them into the whole
// analysis that `lesionui run` and `lesionui report` write.
//
// Words and indices follow the notebook. Group A ("him") is tested against group B ("her"), so
// t > 0 means the unit prefers A. Logits are laid out [text][mask position][word]: texts are
// the clean text and the two masked ones (Masked[0] masks "her", Masked[1] masks "him"); mask
// positions and words are both in Masked order (her, him).
package engine

import (
	"context"
	"errors"
	"fmt"
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
	// G is Hedges' g per unit (A − B, the sign of t), on the tested activation, with the pooled SD
	// whichever t-test runs (stats.HedgesG).
	G    []float64
	A, B []int // significant units with t > 0 (prefer A) and t < 0 (prefer B), ascending
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
	acts        [][]float32    // [layer][sentence · unit], group A's sentences first: the tested activation
	means       []groupMeans   // [layer]: pre-GELU means at the target tokens, for mean and patch ablations
	trace       *encoder.Trace // clean pass over the test texts
	cleanLogits [][]float32    // the clean pass's logits over the whole vocabulary, [text·2 + mask position][id]
}

// New validates the contrast set against the model's vocabulary, runs the sentences through the
// model (one batched pass recording every layer), tests every unit and reads the clean logits of
// the test texts. progress may be nil.
func New(ctx context.Context, m *encoder.Model, set *sentences.ContrastSet, opt Options, progress func(Progress)) (*Study, error) {
	s, err := prepare(m, set, opt)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := s.collect(ctx, progress); err != nil {
		return nil, err
	}
	return s.finish(ctx, start)
}

// prepare validates the contrast set against the model's vocabulary and locates its targets: a
// study without its recording.
func prepare(m *encoder.Model, set *sentences.ContrastSet, opt Options) (*Study, error) {
	if err := set.Validate(vocabulary{m}); err != nil {
		return nil, err
	}
	s := &Study{Model: m, Set: set, Options: opt.withDefaults()}
	if err := s.locateTargets(); err != nil {
		return nil, err
	}
	return s, nil
}

// finish completes a study whose recording is in place (collected since start, or given): it
// checks the activations, tests every unit and reads the clean logits of the test texts.
func (s *Study) finish(ctx context.Context, start time.Time) (*Study, error) {
	if err := s.checkActivations(); err != nil {
		return nil, err
	}
	s.Timing.Collect = time.Since(start)
	start = time.Now()
	s.Layers = s.test(s.Options)
	s.Warnings = s.warnings()
	s.Timing.Stats = time.Since(start)
	m := s.Model
	clean, err := m.Forward(ctx, s.Targets.TestIDs[:], encoder.Options{Logits: s.maskSites(), Trace: true})
	if err != nil {
		return nil, err
	}
	s.trace = clean.Trace
	s.cleanLogits = clean.Logits
	s.Clean = s.targetLogits(clean.Logits)
	if err := s.checkLogits(s.Clean, "the clean pass"); err != nil {
		return nil, err
	}
	for i, row := range s.cleanLogits {
		if err := s.checkVocabLogits(row, i/2, i%2, "the clean pass"); err != nil {
			return nil, err
		}
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
	return encodeText(s.Model, text, s.Set.Name, line)
}

// encodeText tokenizes a text of a sentence file for m; one longer than the model takes is an
// error at its file and line.
func encodeText(m *encoder.Model, text, file string, line int) ([]int, error) {
	enc, err := m.Tokenizer.Encode(modelText(m.Tokenizer, text))
	if err != nil {
		return nil, &sentences.Error{File: file, Line: line, Msg: err.Error()}
	}
	if max := m.MaxTokens(); len(enc.IDs) > max {
		return nil, &sentences.Error{File: file, Line: line, Msg: fmt.Sprintf("%d tokens, but the model takes at most %d", len(enc.IDs), max)}
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

// collect records the expansion at every sentence's target token in every layer, in one pass: the
// tested activation, and the pre-GELU means of each group that mean and patch ablations set units to
// (pre-GELU also when the test is post-GELU: the ablations change the pre-GELU value).
func (s *Study) collect(ctx context.Context, progress func(Progress)) error {
	ids := s.sentenceIDs
	sites := make([]encoder.Site, len(ids))
	for i := range ids {
		sites[i] = encoder.Site{Seq: i, Pos: s.Targets.Positions[i]}
	}
	opt := encoder.Options{Capture: sites, Points: encoder.PreActivation}
	if s.Options.PostGELU {
		opt.Points |= encoder.PostActivation
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
	nA := len(s.Set.A.Sentences)
	s.means = make([]groupMeans, len(res.Pre))
	for l, pre := range res.Pre {
		s.means[l] = newGroupMeans(pre, nA, len(ids)-nA, s.Model.Config.IntermediateSize)
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
		a, b := acts[:nA*units], acts[nA*units:]
		t, p := stats.TTestColumns(a, nA, b, nB, units, opt.Test)
		q := stats.Adjust(p, opt.Correction)
		g := stats.HedgesGColumns(a, nA, b, nB, units)
		lt := LayerTest{Layer: l, T: t, P: p, Q: q, G: g, ByTuning: byTuning(t)}
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

// targetLogits picks the two words' logits out of the full-vocabulary logits of the clean pass's
// sites (both masks of each text, in maskSites order) into the [text][position][word] layout.
func (s *Study) targetLogits(logits [][]float32) Logits {
	var out Logits
	for t := range 3 {
		for p := range 2 {
			for w, id := range s.Targets.WordIDs {
				out[t][p][w] = float64(logits[2*t+p][id])
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
