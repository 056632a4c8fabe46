package tokenize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
)

// File names inside a tokenizer directory, as HF writes them.
const (
	tokenizerJSONFile = "tokenizer.json"
	vocabFile         = "vocab.txt"
	configFile        = "tokenizer_config.json"
	specialMapFile    = "special_tokens_map.json"
)

// specialNames are the special-token strings, defaults overridden by
// tokenizer_config.json and then special_tokens_map.json.
type specialNames struct {
	unk, cls, sep, pad, mask string
}

// wpParams are the WordPiece model parameters.
type wpParams struct {
	unk      string
	prefix   string
	maxChars int
}

// Load reads a HF BERT tokenizer directory: dir/tokenizer.json when present,
// else dir/vocab.txt with the optional dir/tokenizer_config.json
// (do_lower_case, default true; strip_accents, null = follow lower-casing;
// tokenize_chinese_chars, default true). Special-token names come from
// tokenizer_config.json and special_tokens_map.json when given.
func Load(dir string) (*Tokenizer, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("tokenize: tokenizer directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("tokenize: %s is not a directory", dir)
	}
	cfg, err := readConfig(dir)
	if err != nil {
		return nil, err
	}
	tj := filepath.Join(dir, tokenizerJSONFile)
	if _, err := os.Stat(tj); err == nil {
		return loadTokenizerJSON(tj, cfg)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("tokenize: %w", err)
	}
	return loadVocabTxt(dir, cfg)
}

// tokenizerConfig is what Load uses from tokenizer_config.json and
// special_tokens_map.json.
type tokenizerConfig struct {
	DoLowerCase          *bool                  `json:"do_lower_case"`
	StripAccents         *bool                  `json:"strip_accents"`
	TokenizeChineseChars *bool                  `json:"tokenize_chinese_chars"`
	UnkToken             tokenName              `json:"unk_token"`
	CLSToken             tokenName              `json:"cls_token"`
	SEPToken             tokenName              `json:"sep_token"`
	PadToken             tokenName              `json:"pad_token"`
	MaskToken            tokenName              `json:"mask_token"`
	AddedTokensDecoder   map[string]addedTokenJ `json:"added_tokens_decoder"`
	names                specialNames
}

// tokenName is a special token written either as a string or as HF's
// serialised AddedToken object {"content": "[MASK]", ...}.
type tokenName string

// UnmarshalJSON accepts both spellings.
func (n *tokenName) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = tokenName(s)
		return nil
	}
	var obj struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("special token must be a string or an object with content: %s", b)
	}
	*n = tokenName(obj.Content)
	return nil
}

// addedTokenJ is one entry of tokenizer.json's added_tokens (and of
// tokenizer_config.json's added_tokens_decoder, which has no id field).
type addedTokenJ struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// readConfig reads the optional tokenizer_config.json and
// special_tokens_map.json of dir.
func readConfig(dir string) (*tokenizerConfig, error) {
	cfg := &tokenizerConfig{}
	if err := readJSON(filepath.Join(dir, configFile), cfg, true); err != nil {
		return nil, err
	}
	cfg.names = specialNames{unk: "[UNK]", cls: "[CLS]", sep: "[SEP]", pad: "[PAD]", mask: "[MASK]"}
	cfg.names.override(cfg)
	var sm tokenizerConfig
	if err := readJSON(filepath.Join(dir, specialMapFile), &sm, true); err != nil {
		return nil, err
	}
	cfg.names.override(&sm)
	return cfg, nil
}

// override replaces the names that c sets.
func (n *specialNames) override(c *tokenizerConfig) {
	for _, p := range []struct {
		dst *string
		src tokenName
	}{{&n.unk, c.UnkToken}, {&n.cls, c.CLSToken}, {&n.sep, c.SEPToken}, {&n.pad, c.PadToken}, {&n.mask, c.MaskToken}} {
		if p.src != "" {
			*p.dst = string(p.src)
		}
	}
}

// readJSON decodes file into v; a missing file is fine when optional.
func readJSON(file string, v any, optional bool) error {
	b, err := os.ReadFile(file)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("tokenize: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("tokenize: %s: %s", file, describeJSONError(b, err))
	}
	return nil
}

// describeJSONError adds the line number to a JSON syntax or type error.
func describeJSONError(b []byte, err error) string {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err.Error()
	}
	// Offset counts the bytes read up to and including the offending one.
	off = min(max(off-1, 0), int64(len(b)))
	return fmt.Sprintf("line %d: %v", 1+bytes.Count(b[:off], []byte("\n")), err)
}

// loadVocabTxt builds the tokenizer the way HF converts a slow BertTokenizer.
func loadVocabTxt(dir string, cfg *tokenizerConfig) (*Tokenizer, error) {
	file := filepath.Join(dir, vocabFile)
	tokens, err := readVocab(file)
	if err != nil {
		return nil, err
	}
	lower := deref(cfg.DoLowerCase, true)
	n := bertNormalizer{
		cleanText:    true,
		chineseChars: deref(cfg.TokenizeChineseChars, true),
		stripAccents: deref(cfg.StripAccents, lower),
		lowercase:    lower,
	}
	var added []addedTokenJ
	if len(cfg.AddedTokensDecoder) > 0 {
		for id, a := range cfg.AddedTokensDecoder {
			if _, err := fmt.Sscan(id, &a.ID); err != nil {
				return nil, fmt.Errorf("tokenize: %s: added_tokens_decoder key %q is not an id", filepath.Join(dir, configFile), id)
			}
			added = append(added, a)
		}
	} else {
		vocab := vocabMap(tokens)
		for _, s := range []string{cfg.names.pad, cfg.names.unk, cfg.names.cls, cfg.names.sep, cfg.names.mask} {
			if id, ok := vocab[s]; ok {
				added = append(added, addedTokenJ{ID: id, Content: s, Special: true})
			}
		}
	}
	return build(file, tokens, n, added, wpParams{unk: cfg.names.unk, prefix: "##", maxChars: 100}, cfg.names)
}

// readVocab reads vocab.txt: one token per line, the line index being the id.
// Trailing whitespace (and "\r") is trimmed as tokenizers does. A token on
// several lines keeps its last id, as in both HF implementations; the earlier
// ids still exist (Token returns their text) but the tokenizer never emits
// them.
func readVocab(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("tokenize: vocabulary: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var tokens []string
	for sc.Scan() {
		line := sc.Text()
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("tokenize: %s:%d: token is not valid UTF-8", file, len(tokens)+1)
		}
		tokens = append(tokens, strings.TrimRightFunc(line, unicode.IsSpace))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenize: %s:%d: %w", file, len(tokens)+1, err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("tokenize: %s: empty vocabulary", file)
	}
	return tokens, nil
}

// tokenizerJSON is the part of HF's tokenizer.json that a BERT tokenizer uses.
type tokenizerJSON struct {
	AddedTokens []addedTokenJ `json:"added_tokens"`
	Normalizer  *struct {
		Type               string `json:"type"`
		CleanText          *bool  `json:"clean_text"`
		HandleChineseChars *bool  `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          *bool  `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	PostProcessor *struct {
		Type   string    `json:"type"`
		CLS    []any     `json:"cls"` // BertProcessing: ["[CLS]", 101]
		SEP    []any     `json:"sep"`
		Single []tmplRow `json:"single"` // TemplateProcessing
	} `json:"post_processor"`
	Padding *struct {
		PadToken string `json:"pad_token"`
	} `json:"padding"`
	Model struct {
		Type                    string         `json:"type"`
		UnkToken                string         `json:"unk_token"`
		ContinuingSubwordPrefix *string        `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    *int           `json:"max_input_chars_per_word"`
		Vocab                   map[string]int `json:"vocab"`
	} `json:"model"`
}

// tmplRow is one item of a TemplateProcessing template.
type tmplRow struct {
	SpecialToken *struct {
		ID string `json:"id"`
	} `json:"SpecialToken"`
	Sequence *struct {
		ID string `json:"id"`
	} `json:"Sequence"`
}

// loadTokenizerJSON builds the tokenizer from HF's tokenizer.json.
func loadTokenizerJSON(file string, cfg *tokenizerConfig) (*Tokenizer, error) {
	var tj tokenizerJSON
	if err := readJSON(file, &tj, false); err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) (*Tokenizer, error) {
		return nil, fmt.Errorf("tokenize: %s: "+format, append([]any{file}, a...)...)
	}
	if tj.Model.Type != "WordPiece" {
		return fail("model type %q, want WordPiece", tj.Model.Type)
	}
	if len(tj.Model.Vocab) == 0 {
		return fail("model.vocab is empty")
	}
	var n bertNormalizer
	if nz := tj.Normalizer; nz != nil {
		if nz.Type != "BertNormalizer" {
			return fail("normalizer type %q is not supported (want BertNormalizer)", nz.Type)
		}
		lower := deref(nz.Lowercase, true)
		n = bertNormalizer{
			cleanText:    deref(nz.CleanText, true),
			chineseChars: deref(nz.HandleChineseChars, true),
			stripAccents: deref(nz.StripAccents, lower),
			lowercase:    lower,
		}
	}
	if pt := tj.PreTokenizer; pt == nil || pt.Type != "BertPreTokenizer" {
		return fail("pre_tokenizer must be BertPreTokenizer")
	}
	names := cfg.names
	if tj.Model.UnkToken != "" {
		names.unk = tj.Model.UnkToken
	}
	if tj.Padding != nil && tj.Padding.PadToken != "" {
		names.pad = tj.Padding.PadToken
	}
	var err error
	if names.cls, names.sep, err = postProcessorTokens(&tj); err != nil {
		return fail("%v", err)
	}
	// Ids come from the map; an id without a token (a gap) stays "".
	size := 0
	for tok, id := range tj.Model.Vocab {
		if id < 0 {
			return fail("model.vocab: token %q has negative id %d", tok, id)
		}
		size = max(size, id+1)
	}
	for _, a := range tj.AddedTokens {
		size = max(size, a.ID+1)
	}
	tokens := make([]string, size)
	for tok, id := range tj.Model.Vocab {
		if tokens[id] != "" {
			return fail("model.vocab: tokens %q and %q share id %d", tokens[id], tok, id)
		}
		tokens[id] = tok
	}
	p := wpParams{unk: names.unk, prefix: "##", maxChars: 100}
	if tj.Model.ContinuingSubwordPrefix != nil {
		p.prefix = *tj.Model.ContinuingSubwordPrefix
	}
	if tj.Model.MaxInputCharsPerWord != nil {
		p.maxChars = *tj.Model.MaxInputCharsPerWord
	}
	return build(file, tokens, n, tj.AddedTokens, p, names)
}

// postProcessorTokens returns the tokens a BertProcessing or a
// TemplateProcessing of the form [special, $A, special] puts around a text.
func postProcessorTokens(tj *tokenizerJSON) (cls, sep string, err error) {
	pp := tj.PostProcessor
	if pp == nil {
		return "", "", errors.New("post_processor is missing; BERT needs [CLS] ... [SEP]")
	}
	switch pp.Type {
	case "BertProcessing":
		if len(pp.CLS) != 2 || len(pp.SEP) != 2 {
			return "", "", errors.New(`post_processor: cls and sep must be ["token", id]`)
		}
		c, ok1 := pp.CLS[0].(string)
		s, ok2 := pp.SEP[0].(string)
		if !ok1 || !ok2 {
			return "", "", errors.New("post_processor: cls and sep tokens must be strings")
		}
		return c, s, nil
	case "TemplateProcessing":
		t := pp.Single
		if len(t) != 3 || t[0].SpecialToken == nil || t[1].Sequence == nil || t[2].SpecialToken == nil {
			return "", "", errors.New("post_processor: single template must be [special, $A, special]")
		}
		return t[0].SpecialToken.ID, t[2].SpecialToken.ID, nil
	}
	return "", "", fmt.Errorf("post_processor type %q is not supported", pp.Type)
}

// build assembles a Tokenizer; file names the source in errors.
func build(file string, tokens []string, n bertNormalizer, added []addedTokenJ, p wpParams, names specialNames) (*Tokenizer, error) {
	t := &Tokenizer{tokens: tokens, norm: n, unkToken: names.unk, padToken: names.pad}
	// The WordPiece model sees the vocabulary only; the special-token lookup
	// below also sees added tokens that lie beyond it.
	mv := model.Vocab(vocabMap(tokens))
	vocab := vocabMap(tokens)
	// lstrip/rstrip are ignored: they only trim whitespace next to the token,
	// which BertPreTokenizer drops anyway.
	for _, a := range added {
		if a.Content == "" {
			return nil, fmt.Errorf("tokenize: %s: added token with id %d is empty", file, a.ID)
		}
		if a.SingleWord {
			return nil, fmt.Errorf("tokenize: %s: added token %q: single_word is not supported", file, a.Content)
		}
		if a.ID < 0 || a.ID >= len(tokens) {
			return nil, fmt.Errorf("tokenize: %s: added token %q has id %d outside the vocabulary", file, a.Content, a.ID)
		}
		if tokens[a.ID] == "" {
			tokens[a.ID] = a.Content
		}
		vocab[a.Content] = a.ID
		at := addedToken{content: a.Content, id: a.ID, normalized: a.Normalized}
		if a.Normalized {
			at.content = n.normalize(a.Content)
			if at.content == "" {
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

	for _, s := range []struct {
		dst  *int
		name string
		what string
	}{
		{&t.special.Unk, names.unk, "unk_token"},
		{&t.special.CLS, names.cls, "cls_token"},
		{&t.special.SEP, names.sep, "sep_token"},
		{&t.special.Pad, names.pad, "pad_token"},
		{&t.special.Mask, names.mask, "mask_token"},
	} {
		id, ok := vocab[s.name]
		if !ok {
			return nil, fmt.Errorf("tokenize: %s: %s %q is not in the vocabulary", file, s.what, s.name)
		}
		*s.dst = id
	}
	if p.maxChars <= 0 {
		return nil, fmt.Errorf("tokenize: %s: max_input_chars_per_word %d must be positive", file, p.maxChars)
	}
	t.model = wordpiece.NewWordPieceBuilder().Vocab(&mv).UnkToken(p.unk).
		ContinuingSubwordPrefix(p.prefix).MaxInputCharsPerWord(p.maxChars).Build()
	return t, nil
}

// vocabMap maps each token to its id; a repeated token keeps its last id.
func vocabMap(tokens []string) map[string]int {
	m := make(map[string]int, len(tokens))
	for id, tok := range tokens {
		if tok != "" {
			m[tok] = id
		}
	}
	return m
}

// deref returns *p, or def when p is nil.
func deref(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
