package tokenize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lesionui/internal/files"

	sgmodel "github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
)

// File names inside a tokenizer directory, as HF writes them.
const (
	tokenizerJSONFile = "tokenizer.json"
	vocabFile         = "vocab.txt"
	vocabJSONFile     = "vocab.json"
	mergesFile        = "merges.txt"
	configFile        = "tokenizer_config.json"
	specialMapFile    = "special_tokens_map.json"
	modelConfigFile   = "config.json"
)

// SentencePiece model files that transformers converts at load time (with the sentencepiece
// and protobuf Python packages); lesionui reads the tokenizer.json such a conversion writes.
var sentencePieceFiles = []string{"spiece.model", "sentencepiece.bpe.model", "tokenizer.model"}

// Size limits of the files read whole: far above every real file (XLM-R's tokenizer.json is
// 17 MB, bert's vocab.txt 232 kB), far below what would exhaust memory.
const (
	maxTokenizerJSON = 256 << 20
	maxVocabFile     = 64 << 20
	maxConfigFile    = 4 << 20
)

// specialNames are the special-token strings of a tokenizer.
type specialNames struct {
	unk, cls, sep, pad, mask string
}

// Load reads the tokenizer of a HF model directory: dir/tokenizer.json when present; else
// dir/vocab.txt (WordPiece) or dir/vocab.json + dir/merges.txt (RoBERTa's byte-level BPE), built
// as transformers converts them. dir/tokenizer_config.json and dir/special_tokens_map.json
// (optional) give special-token names and the options transformers applies on top of the files
// (BERT's do_lower_case, strip_accents, tokenize_chinese_chars; RoBERTa's add_prefix_space),
// and tokenizer_class, which must name a tokenizer lesionui implements. Every file is read as a
// regular file under a size limit: a FIFO or a device is refused, never waited on.
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
	switch b, err := files.ReadRegular(tj, maxTokenizerJSON); {
	case err == nil:
		return loadTokenizerJSON(tj, b, cfg)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("tokenize: %w", err)
	}
	switch {
	case exists(filepath.Join(dir, vocabFile)):
		return loadVocabTxt(dir, cfg)
	case exists(filepath.Join(dir, vocabJSONFile)) || exists(filepath.Join(dir, mergesFile)):
		return loadVocabMerges(dir, cfg)
	}
	for _, f := range sentencePieceFiles {
		if exists(filepath.Join(dir, f)) {
			return nil, fmt.Errorf("tokenize: %s has %s (a SentencePiece model) but no %s; lesionui reads the tokenizer.json "+
				"that transformers makes from it: in Python, with transformers, sentencepiece and protobuf installed,\n"+
				"  from transformers import AutoTokenizer\n"+
				"  AutoTokenizer.from_pretrained(%q).save_pretrained(%q)\n"+
				"writes it into the directory", dir, f, tokenizerJSONFile, dir, dir)
		}
	}
	return nil, fmt.Errorf("tokenize: %s has no tokenizer: none of %s, %s, %s + %s", dir, tokenizerJSONFile, vocabFile, vocabJSONFile, mergesFile)
}

// exists reports whether path names something (a file of any kind: reading it decides the rest).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// family is the transformers tokenizer class a directory is read as, which decides the
// defaults and the options transformers applies over the files.
type family int

const (
	familyAny     family = iota // only the files (PreTrainedTokenizerFast, or no class known)
	familyBERT                  // BertTokenizer(Fast) and its copies (DistilBERT, ELECTRA)
	familyRoBERTa               // RobertaTokenizer(Fast)
	familyALBERT                // AlbertTokenizer(Fast)
	familyXLMR                  // XLMRobertaTokenizer(Fast)
)

// tokenizerClasses are the tokenizer_class values lesionui implements, without "Fast".
var tokenizerClasses = map[string]family{
	"BertTokenizer": familyBERT, "DistilBertTokenizer": familyBERT, "ElectraTokenizer": familyBERT,
	"RobertaTokenizer": familyRoBERTa, "AlbertTokenizer": familyALBERT, "XLMRobertaTokenizer": familyXLMR,
	"PreTrainedTokenizer": familyAny,
}

// modelTypes map config.json's model_type to the class AutoTokenizer picks when
// tokenizer_config.json names none.
var modelTypes = map[string]family{
	"bert": familyBERT, "distilbert": familyBERT, "electra": familyBERT,
	"roberta": familyRoBERTa, "albert": familyALBERT, "xlm-roberta": familyXLMR,
}

// tokenizerConfig is what Load uses from tokenizer_config.json and special_tokens_map.json.
type tokenizerConfig struct {
	TokenizerClass       string                     `json:"tokenizer_class"`
	WordTokenizerType    string                     `json:"word_tokenizer_type"`
	SubwordTokenizerType string                     `json:"subword_tokenizer_type"`
	DoLowerCase          *bool                      `json:"do_lower_case"`
	StripAccents         *bool                      `json:"strip_accents"`
	TokenizeChineseChars *bool                      `json:"tokenize_chinese_chars"`
	AddPrefixSpace       *bool                      `json:"add_prefix_space"`
	UnkToken             tokenName                  `json:"unk_token"`
	CLSToken             tokenName                  `json:"cls_token"`
	SEPToken             tokenName                  `json:"sep_token"`
	BOSToken             tokenName                  `json:"bos_token"`
	EOSToken             tokenName                  `json:"eos_token"`
	PadToken             tokenName                  `json:"pad_token"`
	MaskToken            tokenName                  `json:"mask_token"`
	AddedTokensDecoder   map[string]addedTokenEntry `json:"added_tokens_decoder"`

	family family
	file   string // tokenizer_config.json's path, for errors
	names  specialNames
}

// tokenName is a special token written either as a string or as HF's serialised AddedToken
// object {"content": "[MASK]", "lstrip": true, ...}; the flags are kept for the vocabulary
// files, where no other file records them.
type tokenName struct {
	content string
	lstrip  *bool
}

// UnmarshalJSON accepts both spellings.
func (n *tokenName) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &n.content); err == nil {
		return nil
	}
	var obj struct {
		Content string `json:"content"`
		Lstrip  *bool  `json:"lstrip"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("special token must be a string or an object with content: %s", b)
	}
	*n = tokenName{content: obj.Content, lstrip: obj.Lstrip}
	return nil
}

// addedTokenEntry is one entry of tokenizer.json's added_tokens (and of tokenizer_config.json's
// added_tokens_decoder, which has no id field).
type addedTokenEntry struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// readConfig reads the optional tokenizer_config.json and special_tokens_map.json of dir, and
// decides the tokenizer class.
func readConfig(dir string) (*tokenizerConfig, error) {
	cfg := &tokenizerConfig{file: filepath.Join(dir, configFile)}
	if err := readJSON(cfg.file, cfg, true); err != nil {
		return nil, err
	}
	var sm tokenizerConfig
	if err := readJSON(filepath.Join(dir, specialMapFile), &sm, true); err != nil {
		return nil, err
	}
	for _, p := range []struct{ dst, src *tokenName }{
		{&cfg.UnkToken, &sm.UnkToken}, {&cfg.CLSToken, &sm.CLSToken}, {&cfg.SEPToken, &sm.SEPToken},
		{&cfg.BOSToken, &sm.BOSToken}, {&cfg.EOSToken, &sm.EOSToken},
		{&cfg.PadToken, &sm.PadToken}, {&cfg.MaskToken, &sm.MaskToken},
	} {
		if p.src.content != "" {
			*p.dst = *p.src
		}
	}
	if cfg.WordTokenizerType != "" || cfg.SubwordTokenizerType != "" {
		return nil, fmt.Errorf("tokenize: %s: word_tokenizer_type %q / subword_tokenizer_type %q belong to BertJapaneseTokenizer "+
			"(MeCab, Juman++, SudachiPy word splitting), which lesionui does not implement", cfg.file, cfg.WordTokenizerType, cfg.SubwordTokenizerType)
	}
	if c := cfg.TokenizerClass; c != "" {
		f, ok := tokenizerClasses[strings.TrimSuffix(c, "Fast")]
		if !ok {
			return nil, fmt.Errorf("tokenize: %s: tokenizer_class %q is not a tokenizer lesionui implements "+
				"(it reads BERT, DistilBERT and ELECTRA WordPiece, RoBERTa byte-level BPE, ALBERT and XLM-RoBERTa Unigram tokenizers)", cfg.file, c)
		}
		cfg.family = f
	} else {
		var mc struct {
			ModelType string `json:"model_type"`
		}
		if err := readJSON(filepath.Join(dir, modelConfigFile), &mc, true); err != nil {
			return nil, err
		}
		cfg.family = modelTypes[mc.ModelType]
	}
	return cfg, nil
}

// configured returns the special-token names tokenizer_config.json and special_tokens_map.json
// set ("" where they set none); RoBERTa's and XLM-R's bos/eos stand in for cls/sep.
func (c *tokenizerConfig) configured() specialNames {
	first := func(a, b tokenName) string {
		if a.content != "" {
			return a.content
		}
		return b.content
	}
	return specialNames{unk: c.UnkToken.content, cls: first(c.CLSToken, c.BOSToken), sep: first(c.SEPToken, c.EOSToken),
		pad: c.PadToken.content, mask: c.MaskToken.content}
}

// readJSON decodes file (a regular file under maxConfigFile) into v; a missing file is fine when optional.
func readJSON(file string, v any, optional bool) error {
	b, err := files.ReadRegular(file, maxConfigFile)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("tokenize: %w", err)
	}
	return decodeJSON(file, b, v)
}

// decodeJSON decodes b, read from file, into v.
func decodeJSON(file string, b []byte, v any) error {
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

// loadVocabTxt builds a WordPiece tokenizer from vocab.txt the way transformers converts a slow
// BertTokenizer: BertNormalizer from do_lower_case (default true), strip_accents (null: follow
// lower-casing) and tokenize_chinese_chars (default true), [CLS] … [SEP] around every text, and
// as added tokens the entries of added_tokens_decoder — whose ids may lie beyond vocab.txt, as
// tokens added with add_tokens() and saved by save_pretrained do — or else the special tokens.
func loadVocabTxt(dir string, cfg *tokenizerConfig) (*Tokenizer, error) {
	file := filepath.Join(dir, vocabFile)
	tokens, err := readVocab(file)
	if err != nil {
		return nil, err
	}
	n := bertNormalizerFor(cfg, bertNormalizer{cleanText: true})
	names := withDefaults(cfg.configured(), specialNames{unk: "[UNK]", cls: "[CLS]", sep: "[SEP]", pad: "[PAD]", mask: "[MASK]"})
	added, err := configAddedTokens(cfg, len(tokens))
	if err != nil {
		return nil, err
	}
	// transformers adds every special token that added_tokens_decoder lacks as a special
	// added token (PreTrainedTokenizer.__init__), so "[MASK]" in a text is always one token.
	vocab := vocabMap(tokens)
	for _, s := range []string{names.pad, names.unk, names.cls, names.sep, names.mask} {
		id, ok := vocab[s]
		if ok && !slices.ContainsFunc(added, func(a addedTokenEntry) bool { return a.Content == s }) {
			added = append(added, addedTokenEntry{ID: int64(id), Content: s, Special: true})
		}
	}
	// The WordPiece model sees vocab.txt only, the added-token matching also what lies beyond it.
	mv := sgmodel.Vocab(vocabMap(tokens))
	wp := wordPieceModel{wordpiece.NewWordPieceBuilder().Vocab(&mv).UnkToken(names.unk).
		ContinuingSubwordPrefix("##").MaxInputCharsPerWord(100).Build()}
	tokens = extend(tokens, added)
	return assemble(file, pipeline{tokens: tokens, norm: &n, pre: bertPre{}, model: wp, added: added, names: names, wrap: wrapCLSSEP})
}

// bertNormalizerFor applies what BertTokenizerFast does over a file's BertNormalizer: when
// tokenizer_config.json's do_lower_case (default true), strip_accents (default null) or
// tokenize_chinese_chars (default true) differ from it, those three are replaced by the
// config's values (clean_text is kept).
func bertNormalizerFor(cfg *tokenizerConfig, n bertNormalizer) bertNormalizer {
	lower := deref(cfg.DoLowerCase, true)
	n.lowercase = lower
	n.chineseChars = deref(cfg.TokenizeChineseChars, true)
	n.stripAccents = deref(cfg.StripAccents, lower)
	return n
}

// configAddedTokens returns the entries of tokenizer_config.json's added_tokens_decoder, in id
// order, or nil when it has none. An id may be at most one past the last one a vocabulary of
// vocabSize tokens plus these entries can number.
func configAddedTokens(cfg *tokenizerConfig, vocabSize int) ([]addedTokenEntry, error) {
	if len(cfg.AddedTokensDecoder) == 0 {
		return nil, nil
	}
	limit := int64(vocabSize + len(cfg.AddedTokensDecoder))
	var added []addedTokenEntry
	for key, a := range cfg.AddedTokensDecoder {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || id < 0 || id >= limit {
			return nil, fmt.Errorf("tokenize: %s: added_tokens_decoder key %q is not an id from 0 to %d (the vocabulary has %d tokens, the file %d added ones)",
				cfg.file, key, limit-1, vocabSize, len(cfg.AddedTokensDecoder))
		}
		a.ID = id
		added = append(added, a)
	}
	slices.SortFunc(added, func(a, b addedTokenEntry) int { return int(a.ID - b.ID) })
	return added, nil
}

// extend returns tokens grown to hold every added token's id, an added token's text filling
// an id the vocabulary leaves empty. The ids must have been checked against a limit.
func extend(tokens []string, added []addedTokenEntry) []string {
	for _, a := range added {
		for int64(len(tokens)) <= a.ID {
			tokens = append(tokens, "")
		}
		if tokens[a.ID] == "" {
			tokens[a.ID] = a.Content
		}
	}
	return tokens
}

// readVocab reads vocab.txt: one token per line, the line index being the id. Trailing
// whitespace (and "\r") is trimmed as tokenizers does. A UTF-8 byte-order mark before the first
// token is dropped (HF keeps it as part of token 0, so "[PAD]" would not be found); a token on
// several lines keeps its last id, as in both HF implementations; the earlier ids still exist
// (Token returns their text) but the tokenizer never emits them.
func readVocab(file string) ([]string, error) {
	b, err := files.ReadRegular(file, maxVocabFile)
	if err != nil {
		return nil, fmt.Errorf("tokenize: vocabulary: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if len(b) == 0 {
		return nil, fmt.Errorf("tokenize: %s: empty vocabulary", file)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	tokens := make([]string, len(lines))
	for i, line := range lines {
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("tokenize: %s:%d: token is not valid UTF-8", file, i+1)
		}
		tokens[i] = strings.TrimRightFunc(line, unicode.IsSpace)
	}
	return tokens, nil
}

// loadVocabMerges builds RoBERTa's byte-level BPE tokenizer from vocab.json and merges.txt the
// way transformers converts a slow RobertaTokenizer: ByteLevel pre-tokenizer with
// add_prefix_space (tokenizer_config.json, default false), BPE without unknown token, <s> … </s>
// around every text, and the special tokens <s>, <pad>, </s>, <unk>, <mask> as added tokens,
// "<mask>" with lstrip — RobertaTokenizer's default, which no file records unless
// tokenizer_config.json spells the mask token as an object.
func loadVocabMerges(dir string, cfg *tokenizerConfig) (*Tokenizer, error) {
	vf, mf := filepath.Join(dir, vocabJSONFile), filepath.Join(dir, mergesFile)
	vb, err := files.ReadRegular(vf, maxTokenizerJSON)
	if err != nil {
		return nil, fmt.Errorf("tokenize: %w (a byte-level BPE tokenizer needs both %s and %s)", err, vocabJSONFile, mergesFile)
	}
	mb, err := files.ReadRegular(mf, maxTokenizerJSON)
	if err != nil {
		return nil, fmt.Errorf("tokenize: %w (a byte-level BPE tokenizer needs both %s and %s)", err, vocabJSONFile, mergesFile)
	}
	var vocab map[string]int64
	if err := decodeJSON(vf, vb, &vocab); err != nil {
		return nil, err
	}
	tokens, err := vocabTokens(vf, vocab, 0)
	if err != nil {
		return nil, err
	}
	merges, err := parseMergesTxt(mf, string(mb))
	if err != nil {
		return nil, err
	}
	names := withDefaults(cfg.configured(), specialNames{unk: "<unk>", cls: "<s>", sep: "</s>", pad: "<pad>", mask: "<mask>"})
	var added []addedTokenEntry
	ids := vocabMap(tokens)
	for _, s := range []string{names.cls, names.pad, names.sep, names.unk, names.mask} {
		id, ok := ids[s]
		if !ok {
			return nil, fmt.Errorf("tokenize: %s: special token %q is not in the vocabulary", vf, s)
		}
		a := addedTokenEntry{ID: int64(id), Content: s, Special: true}
		if s == names.mask {
			a.Lstrip = cfg.MaskToken.lstrip == nil || *cfg.MaskToken.lstrip
		}
		added = append(added, a)
	}
	bpe, err := newBPE(mf, tokens, merges, bpeOptions{})
	if err != nil {
		return nil, err
	}
	pre := byteLevel{addPrefixSpace: deref(cfg.AddPrefixSpace, false), useRegex: true}
	return assemble(vf, pipeline{tokens: tokens, pre: pre, model: bpe, added: added, names: names, wrap: wrapCLSSEP})
}

// parseMergesTxt reads merges.txt: an optional "#version" line, then one "left right" pair a line.
func parseMergesTxt(file, s string) ([][2]string, error) {
	var merges [][2]string
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || (i == 0 && strings.HasPrefix(line, "#version")) {
			continue
		}
		a, b, ok := strings.Cut(line, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return nil, fmt.Errorf("tokenize: %s:%d: a merge is two tokens separated by one space, not %q", file, i+1, line)
		}
		merges = append(merges, [2]string{a, b})
	}
	return merges, nil
}

// withDefaults fills the names n leaves empty from def.
func withDefaults(n, def specialNames) specialNames {
	for _, p := range []struct{ dst, src *string }{
		{&n.unk, &def.unk}, {&n.cls, &def.cls}, {&n.sep, &def.sep}, {&n.pad, &def.pad}, {&n.mask, &def.mask},
	} {
		if *p.dst == "" {
			*p.dst = *p.src
		}
	}
	return n
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
