package tokenize

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// precompiled is SentencePiece's normalisation rule table ("precompiled_charsmap", the
// nmt_nfkc rules ALBERT and XLM-R were trained with), as tokenizers' Precompiled normalizer
// applies it (normalizers/precompiled.rs and the spm_precompiled crate).
//
// The charsmap is a little-endian u32 giving the byte size of a darts-clone double-array trie,
// the trie's u32 units, then a blob of NUL-terminated replacement strings. A trie key is the
// UTF-8 of a character sequence; its value is the offset of the replacement in the blob.
//
// sugarme/tokenizer's spm package parses the same format but is not used: it indexes the trie
// and the blob without bounds checks (a truncated or hostile charsmap panics) and its
// normaliser returns after the first grapheme that has a rule and turns combining marks into
// "U+0301"-style text. Here every index is checked (a unit outside the trie, or a value outside
// the blob, is no match) and the normalisation is precompiled.rs's.
type precompiled struct {
	trie       []uint32
	normalized string
}

// parsePrecompiled reads a charsmap: its trie must fit the bytes after the header and the
// replacement blob must be valid UTF-8. Values are checked against the blob when they are used.
func parsePrecompiled(b []byte) (*precompiled, error) {
	if len(b) < 4 {
		return nil, errors.New("precompiled_charsmap is shorter than its 4-byte header")
	}
	size := uint64(binary.LittleEndian.Uint32(b))
	if size%4 != 0 || size > uint64(len(b)-4) {
		return nil, fmt.Errorf("precompiled_charsmap: trie of %d bytes does not fit in the %d bytes that follow its header", size, len(b)-4)
	}
	p := &precompiled{trie: make([]uint32, size/4)}
	for i := range p.trie {
		p.trie[i] = binary.LittleEndian.Uint32(b[4+4*i:])
	}
	blob := b[4+size:]
	if !utf8.Valid(blob) {
		return nil, errors.New("precompiled_charsmap: the replacement strings are not valid UTF-8")
	}
	p.normalized = string(blob)
	if len(p.trie) == 0 {
		return nil, errors.New("precompiled_charsmap: empty trie")
	}
	return p, nil
}

// Double-array unit fields (darts-clone's layout, as spm_precompiled reads it).
func unitHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func unitValue(u uint32) int     { return int(u & (1<<31 - 1)) }
func unitLabel(u uint32) uint32  { return u & (1<<31 | 0xFF) }
func unitOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }

// firstMatch returns the value of the shortest key that is a prefix of key (spm_precompiled's
// common_prefix_search, of which transform uses the first result).
func (p *precompiled) firstMatch(key string) (int, bool) {
	pos := unitOffset(p.trie[0])
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == 0 {
			break
		}
		pos ^= uint32(c)
		if int(pos) >= len(p.trie) {
			return 0, false
		}
		u := p.trie[pos]
		if unitLabel(u) != uint32(c) {
			return 0, false
		}
		pos ^= unitOffset(u)
		if unitHasLeaf(u) {
			if int(pos) >= len(p.trie) {
				return 0, false
			}
			return unitValue(p.trie[pos]), true
		}
	}
	return 0, false
}

// transform returns the replacement string of the first rule whose key is a prefix of chunk.
func (p *precompiled) transform(chunk string) (string, bool) {
	v, ok := p.firstMatch(chunk)
	if !ok || v >= len(p.normalized) {
		return "", false
	}
	end := strings.IndexByte(p.normalized[v:], 0)
	if end < 0 {
		end = len(p.normalized) - v
	}
	return p.normalized[v : v+end], true
}

// normalize applies the rules grapheme by grapheme, as precompiled.rs does: a grapheme shorter
// than 6 bytes is looked up whole (and replaced by the rule of its first matching prefix);
// otherwise, or when that finds nothing, each character is looked up on its own.
func (p *precompiled) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	for rest := s; rest != ""; {
		var g string
		g, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if len(g) < 6 {
			if r, ok := p.transform(g); ok {
				b.WriteString(r)
				continue
			}
		}
		for i := 0; i < len(g); {
			c, n := utf8.DecodeRuneInString(g[i:])
			part := g[i : i+n]
			if c == utf8.RuneError && n == 1 {
				part = string(c) // invalid UTF-8 reads as U+FFFD, as everywhere in Go
			}
			i += n
			if r, ok := p.transform(part); ok {
				b.WriteString(r)
			} else {
				b.WriteString(part)
			}
		}
	}
	return b.String()
}
