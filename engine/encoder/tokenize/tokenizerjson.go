package tokenize

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	sgmodel "github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
	"golang.org/x/text/unicode/norm"
)

// tokenizerJSON is the part of HF's tokenizer.json that lesionui uses.
type tokenizerJSON struct {
	AddedTokens   []addedTokenEntry `json:"added_tokens"`
	Normalizer    *normalizerJSON   `json:"normalizer"`
	PreTokenizer  *preTokenizerJSON `json:"pre_tokenizer"`
	PostProcessor *postJSON         `json:"post_processor"`
	Padding       *struct {
		PadToken string `json:"pad_token"`
	} `json:"padding"`
	Model modelJSON `json:"model"`
}

// normalizerJSON is one normalizer; the fields used depend on Type.
type normalizerJSON struct {
	Type string `json:"type"`
	// BertNormalizer
	CleanText          *bool `json:"clean_text"`
	HandleChineseChars *bool `json:"handle_chinese_chars"`
	StripAccents       *bool `json:"strip_accents"`
	Lowercase          *bool `json:"lowercase"`
	// Sequence
	Normalizers []normalizerJSON `json:"normalizers"`
	// Replace
	Pattern *patternJSON `json:"pattern"`
	Content string       `json:"content"`
	// Precompiled: base64; null or empty means no rules (tokenizers accepts both)
	PrecompiledCharsmap *string `json:"precompiled_charsmap"`
	// Strip
	StripLeft  bool `json:"strip_left"`
	StripRight bool `json:"strip_right"`
	// Prepend
	Prepend string `json:"prepend"`
}

// patternJSON is a Replace or Split pattern: {"String": "“"} or {"Regex": " {2,}"}.
type patternJSON struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// preTokenizerJSON is one pre-tokenizer; the fields used depend on Type.
type preTokenizerJSON struct {
	Type          string             `json:"type"`
	Pretokenizers []preTokenizerJSON `json:"pretokenizers"` // Sequence
	// ByteLevel (add_prefix_space also in the Metaspace of tokenizers < 0.14)
	AddPrefixSpace *bool `json:"add_prefix_space"`
	UseRegex       *bool `json:"use_regex"`
	// Metaspace
	Replacement   string `json:"replacement"`
	PrependScheme string `json:"prepend_scheme"`
	Split         *bool  `json:"split"`
}

// postJSON is the post-processor; the fields used depend on Type.
type postJSON struct {
	Type string `json:"type"`
	// BertProcessing, RobertaProcessing: ["[CLS]", 101]
	CLS []json.RawMessage `json:"cls"`
	SEP []json.RawMessage `json:"sep"`
	// TemplateProcessing
	Single        []templatePiece `json:"single"`
	SpecialTokens map[string]struct {
		IDs []int64 `json:"ids"`
	} `json:"special_tokens"`
	// Sequence
	Processors []postJSON `json:"processors"`
}

// templatePiece is one item of a TemplateProcessing template.
type templatePiece struct {
	SpecialToken *struct {
		ID string `json:"id"`
	} `json:"SpecialToken"`
	Sequence *struct {
		ID string `json:"id"`
	} `json:"Sequence"`
}

// modelJSON is tokenizer.json's model. Files written by tokenizers before 0.10.1 (the original
// google-bert and FacebookAI repositories among them) have no "type": tokenizers then tells the
// model by its fields (an untagged enum tried in the order BPE, WordPiece, WordLevel, Unigram),
// and so does kind.
type modelJSON struct {
	Type                    *string         `json:"type"`
	UnkToken                *string         `json:"unk_token"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	MaxInputCharsPerWord    *int64          `json:"max_input_chars_per_word"`
	FuseUnk                 bool            `json:"fuse_unk"`
	ByteFallback            bool            `json:"byte_fallback"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	Dropout                 *float64        `json:"dropout"`
	UnkID                   *int64          `json:"unk_id"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
}

// kind returns the model's type, from "type" or, in untyped files, from its fields.
func (m *modelJSON) kind() (string, error) {
	if m.Type != nil {
		return *m.Type, nil
	}
	v := bytes.TrimSpace(m.Vocab)
	switch {
	case len(v) > 0 && v[0] == '{' && len(m.Merges) > 0:
		return "BPE", nil
	case len(v) > 0 && v[0] == '{' && m.UnkToken != nil && m.ContinuingSubwordPrefix != nil && m.MaxInputCharsPerWord != nil:
		return "WordPiece", nil
	case len(v) > 0 && v[0] == '{' && m.UnkToken != nil:
		return "WordLevel", nil
	case len(v) > 0 && v[0] == '[':
		return "Unigram", nil
	}
	return "", errors.New(`model has no "type" and its fields fit none of tokenizers' models (BPE: vocab and merges; ` +
		`WordPiece: vocab, unk_token, continuing_subword_prefix, max_input_chars_per_word; Unigram: a vocab list)`)
}

// loadTokenizerJSON builds the tokenizer that tokenizer.json (the bytes b, read from file)
// describes, with what transformers' tokenizer class changes on top (cfg).
func loadTokenizerJSON(file string, b []byte, cfg *tokenizerConfig) (*Tokenizer, error) {
	var tj tokenizerJSON
	if err := decodeJSON(file, b, &tj); err != nil {
		return nil, err
	}
	fail := func(err error) (*Tokenizer, error) { return nil, fmt.Errorf("tokenize: %s: %w", file, err) }
	kind, err := tj.Model.kind()
	if err != nil {
		return fail(err)
	}
	p := pipeline{added: tj.AddedTokens, names: cfg.configured()}
	if tj.Padding != nil && tj.Padding.PadToken != "" {
		p.names.pad = tj.Padding.PadToken
	}
	limit := int64(len(tj.AddedTokens))
	switch kind {
	case "WordPiece":
		err = p.wordPiece(&tj.Model, limit)
	case "BPE":
		err = p.bpe(file, &tj.Model, limit)
	case "Unigram":
		err = p.unigram(&tj.Model)
	default:
		err = fmt.Errorf("model type %q is not supported (lesionui runs WordPiece, BPE and Unigram models)", kind)
	}
	if err != nil {
		return fail(err)
	}
	if p.norm, err = buildNormalizer(tj.Normalizer); err != nil {
		return fail(fmt.Errorf("normalizer: %w", err))
	}
	if bn, ok := p.norm.(*bertNormalizer); ok && cfg.family == familyBERT {
		n := bertNormalizerFor(cfg, *bn)
		p.norm = &n
	}
	if tj.PreTokenizer == nil {
		return fail(errors.New("pre_tokenizer is missing"))
	}
	if p.pre, err = buildPreTokenizer(tj.PreTokenizer); err != nil {
		return fail(fmt.Errorf("pre_tokenizer: %w", err))
	}
	if bl, ok := p.pre.(byteLevel); ok && cfg.family == familyRoBERTa {
		// RobertaTokenizerFast rebuilds the pre-tokenizer when add_prefix_space (default false)
		// differs from the file's.
		bl.addPrefixSpace = deref(cfg.AddPrefixSpace, false)
		p.pre = bl
	}
	if p.prefix, p.suffix, err = postProcessorIDs(tj.PostProcessor); err != nil {
		return fail(fmt.Errorf("post_processor: %w", err))
	}
	return assemble(file, p)
}

// wordPiece sets up BERT's WordPiece model.
func (p *pipeline) wordPiece(m *modelJSON, limit int64) error {
	tokens, err := objectVocab(m.Vocab, limit)
	if err != nil {
		return err
	}
	unk, prefix, maxChars := "[UNK]", "##", int64(100)
	if m.UnkToken != nil {
		unk = *m.UnkToken
	}
	if m.ContinuingSubwordPrefix != nil {
		prefix = *m.ContinuingSubwordPrefix
	}
	if m.MaxInputCharsPerWord != nil {
		maxChars = *m.MaxInputCharsPerWord
	}
	if maxChars <= 0 || maxChars > math.MaxInt32 {
		return fmt.Errorf("model: max_input_chars_per_word %d must be positive", maxChars)
	}
	mv := sgmodel.Vocab(vocabMap(tokens))
	p.model = wordPieceModel{wordpiece.NewWordPieceBuilder().Vocab(&mv).UnkToken(unk).
		ContinuingSubwordPrefix(prefix).MaxInputCharsPerWord(int(maxChars)).Build()}
	p.tokens, p.names.unk = tokens, unk
	return nil
}

// bpe sets up a BPE model (RoBERTa's).
func (p *pipeline) bpe(file string, m *modelJSON, limit int64) error {
	tokens, err := objectVocab(m.Vocab, limit)
	if err != nil {
		return err
	}
	merges, err := parseMerges(file, m.Merges)
	if err != nil {
		return err
	}
	if m.ByteFallback {
		return errors.New("model: byte_fallback BPE is not supported")
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return fmt.Errorf("model: BPE dropout %g makes tokenization random; lesionui needs it null", *m.Dropout)
	}
	o := bpeOptions{fuseUnk: m.FuseUnk, ignoreMerges: m.IgnoreMerges}
	if m.UnkToken != nil {
		o.unk = *m.UnkToken
		p.names.unk = o.unk
	}
	if m.ContinuingSubwordPrefix != nil {
		o.prefix = *m.ContinuingSubwordPrefix
	}
	if m.EndOfWordSuffix != nil {
		o.suffix = *m.EndOfWordSuffix
	}
	if p.model, err = newBPE("model.merges", tokens, merges, o); err != nil {
		return err
	}
	p.tokens = tokens
	return nil
}

// unigram sets up SentencePiece's Unigram model (ALBERT's, XLM-R's).
func (p *pipeline) unigram(m *modelJSON) error {
	var entries []unigramEntry
	if err := json.Unmarshal(m.Vocab, &entries); err != nil {
		return fmt.Errorf("model.vocab: %w", err)
	}
	if len(entries) == 0 {
		return errors.New("model.vocab is empty")
	}
	if m.ByteFallback {
		return errors.New("model: byte_fallback Unigram is not supported")
	}
	tokens, scores := make([]string, len(entries)), make([]float64, len(entries))
	for i, e := range entries {
		tokens[i], scores[i] = e.piece, e.score
	}
	unk := -1
	if m.UnkID != nil {
		if *m.UnkID < 0 || *m.UnkID >= int64(len(tokens)) {
			return fmt.Errorf("model: unk_id %d is outside the %d pieces", *m.UnkID, len(tokens))
		}
		unk = int(*m.UnkID)
		p.names.unk = tokens[unk]
	}
	p.model, p.tokens = newUnigram(tokens, scores, unk), tokens
	return nil
}

// unigramEntry is one [piece, score] of a Unigram vocabulary.
type unigramEntry struct {
	piece string
	score float64
}

// UnmarshalJSON reads ["piece", -3.5].
func (e *unigramEntry) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("a Unigram vocabulary entry is [piece, score], not %.40s", b)
	}
	if err := json.Unmarshal(pair[0], &e.piece); err != nil {
		return fmt.Errorf("piece %.40s is not a string", pair[0])
	}
	if err := json.Unmarshal(pair[1], &e.score); err != nil || math.IsNaN(e.score) {
		return fmt.Errorf("piece %q: score %.40s is not a number", e.piece, pair[1])
	}
	return nil
}

// objectVocab decodes a {"token": id} model.vocab into the id -> token list (see vocabTokens).
func objectVocab(raw json.RawMessage, extra int64) ([]string, error) {
	var m map[string]int64
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("model.vocab: %w", err)
	}
	return vocabTokens("model.vocab", m, extra)
}

// vocabTokens turns a token -> id map into the id -> token list. Ids are checked before
// anything is allocated: each must be below twice the number of entries plus extra (the added
// tokens that may follow) — a file's ids number its entries, with at most a few holes — so an
// id of 10^10 or 2^63−1 is an error, not an allocation.
func vocabTokens(what string, vocab map[string]int64, extra int64) ([]string, error) {
	if len(vocab) == 0 {
		return nil, fmt.Errorf("%s is empty", what)
	}
	limit := 2*int64(len(vocab)) + extra
	size := int64(0)
	for tok, id := range vocab {
		if id < 0 || id >= limit {
			return nil, fmt.Errorf("%s: token %q has id %d, outside 0 … %d (the file has %d entries)", what, tok, id, limit-1, int64(len(vocab))+extra)
		}
		size = max(size, id+1)
	}
	tokens := make([]string, size)
	for tok, id := range vocab {
		if tok == "" {
			return nil, fmt.Errorf("%s: the empty string has id %d", what, id)
		}
		if tokens[id] != "" {
			a, b := min(tokens[id], tok), max(tokens[id], tok)
			return nil, fmt.Errorf("%s: tokens %q and %q share id %d", what, a, b, id)
		}
		tokens[id] = tok
	}
	return tokens, nil
}

// parseMerges reads BPE merges in either of tokenizers' spellings: "left right" strings or
// [left, right] pairs (tokenizers ≥ 0.20, where tokens may contain spaces).
func parseMerges(file string, raw json.RawMessage) ([][2]string, error) {
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err == nil {
		return pairs, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return nil, errors.New(`model.merges must be a list of "left right" strings or of [left, right] pairs`)
	}
	pairs = make([][2]string, len(lines))
	for i, l := range lines {
		a, b, ok := strings.Cut(l, " ")
		if !ok || strings.Contains(b, " ") {
			return nil, fmt.Errorf("model.merges[%d] %q is not two tokens separated by one space", i, l)
		}
		pairs[i] = [2]string{a, b}
	}
	return pairs, nil
}

// bpeOptions are a BPE model's settings besides vocabulary and merges.
type bpeOptions struct {
	unk            string // "" for none
	fuseUnk        bool
	prefix, suffix string
	ignoreMerges   bool
}

// newBPE builds the BPE model; every merge's parts and result must be in the vocabulary, as
// tokenizers requires (what names the merges' source in errors).
func newBPE(what string, tokens []string, merges [][2]string, o bpeOptions) (*bpeModel, error) {
	m := &bpeModel{vocab: vocabMap(tokens), merges: make(map[[2]int]bpeMerge, len(merges)), unk: -1, unkText: o.unk,
		fuseUnk: o.fuseUnk, prefix: o.prefix, suffix: o.suffix, ignoreMerges: o.ignoreMerges, tokens: tokens}
	if o.unk != "" {
		id, ok := m.vocab[o.unk]
		if !ok {
			return nil, fmt.Errorf("model: unk_token %q is not in the vocabulary", o.unk)
		}
		m.unk = id
	}
	for rank, mg := range merges {
		a, ok1 := m.vocab[mg[0]]
		b, ok2 := m.vocab[mg[1]]
		merged, ok3 := m.vocab[mg[0]+strings.TrimPrefix(mg[1], o.prefix)]
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("%s: merge %d %q + %q: a part or the merged token is not in the vocabulary", what, rank+1, mg[0], mg[1])
		}
		if _, dup := m.merges[[2]int{a, b}]; !dup {
			m.merges[[2]int{a, b}] = bpeMerge{rank: rank, id: merged}
		}
	}
	return m, nil
}

// buildNormalizer turns a normalizer description into a normalizer (nil for none).
func buildNormalizer(j *normalizerJSON) (normalizer, error) {
	if j == nil {
		return nil, nil
	}
	switch j.Type {
	case "BertNormalizer":
		lower := deref(j.Lowercase, true)
		return &bertNormalizer{
			cleanText:    deref(j.CleanText, true),
			chineseChars: deref(j.HandleChineseChars, true),
			stripAccents: deref(j.StripAccents, lower),
			lowercase:    lower,
		}, nil
	case "Sequence":
		var q sequence
		for i := range j.Normalizers {
			n, err := buildNormalizer(&j.Normalizers[i])
			if err != nil {
				return nil, fmt.Errorf("%d: %w", i, err)
			}
			if n != nil {
				q = append(q, n)
			}
		}
		return q, nil
	case "NFC":
		return unicodeForm{norm.NFC}, nil
	case "NFD":
		return unicodeForm{norm.NFD}, nil
	case "NFKC":
		return unicodeForm{norm.NFKC}, nil
	case "NFKD":
		return unicodeForm{norm.NFKD}, nil
	case "Lowercase":
		return lowercaser{}, nil
	case "StripAccents":
		return accentStripper{}, nil
	case "Strip":
		return stripper{left: j.StripLeft, right: j.StripRight}, nil
	case "Prepend":
		return prepender{j.Prepend}, nil
	case "Replace":
		return buildReplace(j)
	case "Precompiled":
		if j.PrecompiledCharsmap == nil || *j.PrecompiledCharsmap == "" {
			return nil, nil
		}
		b, err := base64.StdEncoding.DecodeString(*j.PrecompiledCharsmap)
		if err != nil {
			return nil, fmt.Errorf("Precompiled: precompiled_charsmap is not base64: %w", err)
		}
		return parsePrecompiled(b)
	}
	return nil, fmt.Errorf("type %q is not supported", j.Type)
}

// buildReplace builds a Replace normalizer.
func buildReplace(j *normalizerJSON) (normalizer, error) {
	switch p := j.Pattern; {
	case p != nil && p.String != nil:
		return replacer{literal: *p.String, content: j.Content}, nil
	case p != nil && p.Regex != nil:
		re, err := regexp.Compile(*p.Regex)
		if err != nil {
			return nil, fmt.Errorf("Replace: pattern %q: %w", *p.Regex, err)
		}
		return replacer{re: re, content: j.Content}, nil
	}
	return nil, errors.New(`Replace: pattern must be {"String": ...} or {"Regex": ...}`)
}

// buildPreTokenizer turns a pre-tokenizer description into a pre-tokenizer.
func buildPreTokenizer(j *preTokenizerJSON) (preTokenizer, error) {
	switch j.Type {
	case "BertPreTokenizer":
		return bertPre{}, nil
	case "WhitespaceSplit":
		return whitespaceSplit{}, nil
	case "ByteLevel":
		return byteLevel{addPrefixSpace: deref(j.AddPrefixSpace, true), useRegex: deref(j.UseRegex, true)}, nil
	case "Metaspace":
		return buildMetaspace(j)
	case "Sequence":
		var q preSequence
		for i := range j.Pretokenizers {
			p, err := buildPreTokenizer(&j.Pretokenizers[i])
			if err != nil {
				return nil, fmt.Errorf("%d: %w", i, err)
			}
			q = append(q, p)
		}
		return q, nil
	}
	return nil, fmt.Errorf("type %q is not supported", j.Type)
}

// buildMetaspace reads both Metaspace spellings: add_prefix_space (tokenizers < 0.14) and
// prepend_scheme + split.
func buildMetaspace(j *preTokenizerJSON) (preTokenizer, error) {
	if j.Replacement == "" || len([]rune(j.Replacement)) != 1 {
		return nil, fmt.Errorf("Metaspace: replacement %q must be one character", j.Replacement)
	}
	m := metaspace{replacement: j.Replacement, splitWords: deref(j.Split, true)}
	switch j.PrependScheme {
	case "", "always":
		m.prepend = prependAlways
	case "first":
		m.prepend = prependFirst
	case "never":
		m.prepend = prependNever
	default:
		return nil, fmt.Errorf("Metaspace: prepend_scheme %q is not always, first or never", j.PrependScheme)
	}
	if j.AddPrefixSpace != nil && !*j.AddPrefixSpace {
		if j.PrependScheme != "" && j.PrependScheme != "never" {
			return nil, errors.New("Metaspace: add_prefix_space false does not match prepend_scheme " + j.PrependScheme)
		}
		m.prepend = prependNever
	}
	return m, nil
}

// postProcessorIDs returns the ids the post-processor puts before and after a text.
func postProcessorIDs(pp *postJSON) (prefix, suffix []int, err error) {
	if pp == nil {
		return nil, nil, errors.New("missing: the model's special tokens ([CLS] … [SEP], <s> … </s>) would not be added")
	}
	switch pp.Type {
	case "BertProcessing", "RobertaProcessing":
		cls, err1 := processingID(pp.CLS, "cls")
		sep, err2 := processingID(pp.SEP, "sep")
		if err := errors.Join(err1, err2); err != nil {
			return nil, nil, err
		}
		return []int{cls}, []int{sep}, nil
	case "TemplateProcessing":
		return templateIDs(pp)
	case "Sequence":
		found := false
		for _, p := range pp.Processors {
			if p.Type == "ByteLevel" { // only trims offsets
				continue
			}
			if found {
				return nil, nil, errors.New("Sequence: more than one processor adds special tokens")
			}
			if prefix, suffix, err = postProcessorIDs(&p); err != nil {
				return nil, nil, err
			}
			found = true
		}
		if !found {
			return nil, nil, errors.New("Sequence: no processor adds the model's special tokens")
		}
		return prefix, suffix, nil
	}
	return nil, nil, fmt.Errorf("type %q is not supported", pp.Type)
}

// processingID reads the id of BertProcessing's and RobertaProcessing's ["token", id].
func processingID(raw []json.RawMessage, what string) (int, error) {
	var tok string
	var id int64
	if len(raw) != 2 || json.Unmarshal(raw[0], &tok) != nil || json.Unmarshal(raw[1], &id) != nil {
		return 0, fmt.Errorf(`%s must be ["token", id]`, what)
	}
	if id < 0 || id > math.MaxInt32 {
		return 0, fmt.Errorf("%s: id %d is out of range", what, id)
	}
	return int(id), nil
}

// templateIDs reads a TemplateProcessing single template: special tokens, one $A, special tokens.
func templateIDs(pp *postJSON) (prefix, suffix []int, err error) {
	seen := false
	for _, piece := range pp.Single {
		switch {
		case piece.Sequence != nil:
			if seen || piece.Sequence.ID != "A" {
				return nil, nil, errors.New("single template must hold the sequence $A once")
			}
			seen = true
		case piece.SpecialToken != nil:
			st, ok := pp.SpecialTokens[piece.SpecialToken.ID]
			if !ok {
				return nil, nil, fmt.Errorf("special token %q of the template is not in special_tokens", piece.SpecialToken.ID)
			}
			for _, id := range st.IDs {
				if id < 0 || id > math.MaxInt32 {
					return nil, nil, fmt.Errorf("special token %q: id %d is out of range", piece.SpecialToken.ID, id)
				}
				if seen {
					suffix = append(suffix, int(id))
				} else {
					prefix = append(prefix, int(id))
				}
			}
		default:
			return nil, nil, errors.New("single template: an item is neither SpecialToken nor Sequence")
		}
	}
	if !seen {
		return nil, nil, errors.New("single template has no $A")
	}
	return prefix, suffix, nil
}

// wrapping says how a pipeline's special tokens around a text are given.
type wrapping int

const (
	wrapIDs    wrapping = iota // prefix and suffix ids from the post-processor
	wrapCLSSEP                 // the cls and sep names, one each
)

// pipeline is everything a Tokenizer is assembled from.
type pipeline struct {
	tokens         []string
	norm           normalizer
	pre            preTokenizer
	model          model
	added          []addedTokenEntry
	names          specialNames
	wrap           wrapping
	prefix, suffix []int
}

// assemble checks the pipeline's added and special tokens and builds the Tokenizer; file names
// the source in errors.
func assemble(file string, p pipeline) (*Tokenizer, error) {
	fail := func(format string, a ...any) (*Tokenizer, error) {
		return nil, fmt.Errorf("tokenize: %s: "+format, append([]any{file}, a...)...)
	}
	// Added tokens may lie beyond the model's vocabulary, by at most their number.
	limit := int64(len(p.tokens) + len(p.added))
	for _, a := range p.added {
		if a.ID < 0 || a.ID >= limit {
			return fail("added token %q has id %d, outside 0 … %d (the vocabulary has %d tokens, %d are added)", a.Content, a.ID, limit-1, len(p.tokens), len(p.added))
		}
		if a.Content == "" {
			return fail("added token with id %d is empty", a.ID)
		}
	}
	p.tokens = extend(p.tokens, p.added)
	t := &Tokenizer{tokens: p.tokens, norm: p.norm, pre: p.pre, model: p.model}
	vocab := vocabMap(p.tokens)
	isAdded := map[string]bool{}
	for _, a := range p.added {
		vocab[a.Content] = int(a.ID)
		isAdded[a.Content] = true
	}
	// Names no file gave: BERT's and SentencePiece's spellings, or RoBERTa's; the mask token
	// must be an added token, the others only in the vocabulary.
	for _, d := range []struct {
		dst        *string
		candidates []string
		in         map[string]bool
	}{
		{&p.names.mask, []string{"[MASK]", "<mask>"}, isAdded},
		{&p.names.unk, []string{"[UNK]", "<unk>"}, nil},
		{&p.names.pad, []string{"[PAD]", "<pad>"}, nil},
	} {
		for _, c := range d.candidates {
			_, ok := vocab[c]
			if *d.dst == "" && (d.in == nil && ok || d.in[c]) {
				*d.dst = c
			}
		}
		if *d.dst == "" {
			*d.dst = d.candidates[0]
		}
	}
	for _, a := range p.added {
		at := addedToken{content: a.Content, id: int(a.ID), lstrip: a.Lstrip, rstrip: a.Rstrip, singleWord: a.SingleWord}
		// Special tokens are matched in the raw text (tokenizers ignores their normalized flag
		// since 0.14; the files of the families here set it false or have no normalizer).
		if a.Normalized && !a.Special && p.norm != nil {
			if at.content = p.norm.normalize(a.Content); at.content == "" {
				continue
			}
			t.normed = append(t.normed, at)
		} else {
			t.raw = append(t.raw, at)
		}
	}
	longestFirst := func(a, b addedToken) int { return len(b.content) - len(a.content) }
	slices.SortStableFunc(t.raw, longestFirst)
	slices.SortStableFunc(t.normed, longestFirst)

	if p.wrap == wrapCLSSEP {
		for _, s := range []struct {
			dst  *[]int
			name string
			what string
		}{{&p.prefix, p.names.cls, "cls_token"}, {&p.suffix, p.names.sep, "sep_token"}} {
			id, ok := vocab[s.name]
			if !ok {
				return fail("%s %q is not in the vocabulary", s.what, s.name)
			}
			*s.dst = []int{id}
		}
	}
	for _, id := range slices.Concat(p.prefix, p.suffix) {
		if id >= len(p.tokens) || p.tokens[id] == "" {
			return fail("post_processor: special token id %d is not in the vocabulary", id)
		}
	}
	if len(p.prefix) == 0 || len(p.suffix) == 0 {
		return fail("post_processor adds no special token before or after the text; a masked LM needs both ([CLS] … [SEP], <s> … </s>)")
	}
	t.prefix, t.suffix = p.prefix, p.suffix
	t.special.CLS, t.special.SEP = p.prefix[0], p.suffix[len(p.suffix)-1]
	p.names.cls, p.names.sep = p.tokens[t.special.CLS], p.tokens[t.special.SEP]
	for _, s := range []struct {
		dst  *int
		name string
		what string
	}{
		{&t.special.Unk, p.names.unk, "unk_token"},
		{&t.special.Pad, p.names.pad, "pad_token"},
		{&t.special.Mask, p.names.mask, "mask_token"},
	} {
		id, ok := vocab[s.name]
		if !ok {
			return fail("%s %q is not in the vocabulary", s.what, s.name)
		}
		*s.dst = id
	}
	if _, ok := t.addedID(p.names.mask); !ok {
		return fail("the mask token %q is in the vocabulary but not among added_tokens, so %q in a text would be cut into pieces "+
			"instead of becoming token %d; add {\"id\": %d, \"content\": %q, \"special\": true, \"normalized\": false} to added_tokens",
			p.names.mask, p.names.mask, t.special.Mask, t.special.Mask, p.names.mask)
	}
	t.names = p.names
	return t, nil
}
