package tokenize

import (
	"testing"
)

// Fuzz targets for both loaders (not run in CI: go test -fuzz FuzzLoadTokenizerJSON
// ./engine/encoder/tokenize). Whatever the bytes, loading returns a tokenizer or an error, and
// a tokenizer encodes without panicking.

func FuzzLoadTokenizerJSON(f *testing.F) {
	f.Add([]byte(`{"added_tokens": [{"id": 5, "content": "<mask>", "lstrip": true, "special": true}], "normalizer": null,
		"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}, "post_processor": {"type": "RobertaProcessing", "cls": ["<s>", 0], "sep": ["</s>", 2]},
		"model": {"vocab": {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "a": 4, "<mask>": 5, "Ġ": 6, "Ġa": 7}, "merges": ["Ġ a"]}}`))
	f.Add([]byte(`{"added_tokens": [{"id": 4, "content": "[MASK]", "lstrip": true, "special": true}],
		"normalizer": {"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}, {"type": "NFKD"}, {"type": "Lowercase"}]},
		"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"},
		"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "[SEP]"}}],
			"special_tokens": {"[CLS]": {"ids": [2]}, "[SEP]": {"ids": [3]}}},
		"model": {"unk_id": 1, "vocab": [["<pad>", 0], ["<unk>", 0], ["[CLS]", 0], ["[SEP]", 0], ["[MASK]", 0], ["▁a", -1.5], ["a", -2], ["▁", -3]]}}`))
	f.Add([]byte(`{"added_tokens": [{"id": 4, "content": "[MASK]", "special": true}], "pre_tokenizer": {"type": "BertPreTokenizer"},
		"post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
		"model": {"unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
		"vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5, "##b": 6}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := loadTokenizerJSON("tokenizer.json", b, &tokenizerConfig{})
		if err == nil {
			encodeSamples(tok)
		}
	})
}

func FuzzLoadVocabTxt(f *testing.F) {
	f.Add([]byte(tinyVocab), []byte(`{"do_lower_case": false}`))
	f.Add([]byte("\uFEFF"+tinyVocab+"xy\n"), []byte(`{"added_tokens_decoder": {"8": {"content": "XY", "normalized": true}}}`))
	f.Fuzz(func(t *testing.T, vocab, config []byte) {
		dir := t.TempDir()
		writeFile(t, dir, "vocab.txt", vocab)
		writeFile(t, dir, "tokenizer_config.json", config)
		if tok, err := Load(dir); err == nil {
			encodeSamples(tok)
		}
	})
}

// encodeSamples runs a few texts through tok; only a panic fails.
func encodeSamples(tok *Tokenizer) {
	for _, s := range []string{"", "Robert helped Lucy with [MASK] project.", " a  <mask>b\n", "\xff 東京 😀"} {
		_, _ = tok.Encode(s)
		_, _ = tok.TokenID(s)
	}
}
