package tokenize

import (
	"container/heap"
	"errors"
	"math"
	"unicode/utf8"

	"github.com/sugarme/tokenizer/model/wordpiece"
)

// model is a tokenizers model: it cuts one pre-tokenized word into vocabulary pieces.
type model interface {
	tokenize(word string) ([]piece, error)
}

// piece is one token of a word.
type piece struct {
	id    int
	token string
}

// wordPieceModel is BERT's WordPiece: greedy longest match with "##" continuation pieces, a
// whole word of [UNK] when a part has no piece or the word is longer than the limit. It is
// github.com/sugarme/tokenizer's WordPiece, which agrees with HF's.
type wordPieceModel struct{ wp wordpiece.WordPiece }

func (m wordPieceModel) tokenize(word string) ([]piece, error) {
	toks, err := m.wp.Tokenize(word)
	if err != nil {
		return nil, err
	}
	out := make([]piece, len(toks))
	for i, t := range toks {
		out[i] = piece{id: t.Id, token: t.Value}
	}
	return out, nil
}

// bpeModel is tokenizers' BPE model as RoBERTa (and GPT-2) use it: a word starts as its
// characters and the adjacent pair of lowest merge rank is merged, leftmost first on ties,
// until no pair has a merge.
//
// sugarme/tokenizer's BPE is not used: it breaks ties between equal ranks by the time a merge
// was queued rather than by position, panics on a character that is neither in the vocabulary
// nor covered by an unknown token (HF drops it), and shares an unsynchronised cache between
// goroutines.
type bpeModel struct {
	vocab  map[string]int
	merges map[[2]int]bpeMerge
	// unk is the id of the unknown token, or -1 (then unknown characters are dropped, as HF does).
	unk     int
	unkText string
	fuseUnk bool
	// prefix is put before every symbol but the first (continuing_subword_prefix), suffix after
	// the last one (end_of_word_suffix).
	prefix, suffix string
	// ignoreMerges takes a word that is in the vocabulary as it is.
	ignoreMerges bool
	tokens       []string
}

// bpeMerge is a merge's rank (its line in the merges list) and the id of the merged token.
type bpeMerge struct{ rank, id int }

func (m *bpeModel) tokenize(word string) ([]piece, error) {
	if word == "" {
		return nil, nil
	}
	if id, ok := m.vocab[word]; ok && m.ignoreMerges {
		return []piece{{id, word}}, nil
	}
	// The word's symbols, as a doubly linked list over the slice.
	type symbol struct {
		id, prev, next int
		gone           bool
	}
	var syms []symbol
	unkOpen := false // the last symbol is an unknown token that fuse_unk may extend
	for i := 0; i < len(word); {
		_, n := utf8.DecodeRuneInString(word[i:])
		s := word[i : i+n]
		if i > 0 {
			s = m.prefix + s
		}
		if i+n == len(word) {
			s += m.suffix
		}
		i += n
		id, ok := m.vocab[s]
		if !ok {
			if m.unk < 0 {
				continue
			}
			if m.fuseUnk && unkOpen {
				continue
			}
			id = m.unk
		}
		unkOpen = !ok
		syms = append(syms, symbol{id: id, prev: len(syms) - 1, next: len(syms) + 1})
	}
	if len(syms) == 0 {
		return nil, nil
	}
	syms[len(syms)-1].next = -1
	q := &mergeQueue{}
	push := func(pos int) {
		if next := syms[pos].next; next >= 0 {
			if mg, ok := m.merges[[2]int{syms[pos].id, syms[next].id}]; ok {
				heap.Push(q, queuedMerge{rank: mg.rank, pos: pos, left: syms[pos].id, right: syms[next].id, id: mg.id})
			}
		}
	}
	for i := range syms {
		push(i)
	}
	for q.Len() > 0 {
		top := heap.Pop(q).(queuedMerge)
		s := &syms[top.pos]
		// Skip merges whose symbols have changed since they were queued.
		if s.gone || s.id != top.left || s.next < 0 || syms[s.next].id != top.right {
			continue
		}
		r := &syms[s.next]
		s.id = top.id
		r.gone = true
		s.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = top.pos
		}
		if s.prev >= 0 {
			push(s.prev)
		}
		push(top.pos)
	}
	var out []piece
	for i := 0; i >= 0; i = syms[i].next {
		id := syms[i].id
		tok := m.tokens[id]
		if id == m.unk {
			tok = m.unkText
		}
		out = append(out, piece{id, tok})
	}
	return out, nil
}

// queuedMerge is a candidate merge of the symbol at pos (id left) with the next one (id right).
type queuedMerge struct{ rank, pos, left, right, id int }

// mergeQueue orders candidate merges by rank, then position (tokenizers' merge order).
type mergeQueue []queuedMerge

func (q mergeQueue) Len() int { return len(q) }
func (q mergeQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q mergeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *mergeQueue) Push(x any)   { *q = append(*q, x.(queuedMerge)) }
func (q *mergeQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// unigramModel is SentencePiece's Unigram model as tokenizers runs it (models/unigram,
// encode_optimized): the segmentation of a word into vocabulary pieces whose scores (log
// probabilities) sum highest, found by Viterbi; a character no piece starts with becomes the
// unknown token at the lowest score minus 10, and adjacent unknown characters fuse into one.
//
// sugarme/tokenizer's Unigram is not used: it adds a bonus of 0.1 per byte to every piece's
// score and looks at pieces of at most 20 bytes, so its segmentations differ from
// SentencePiece's; and its cache starts a goroutine per model.
type unigramModel struct {
	vocab    map[string]int
	scores   []float64
	tokens   []string
	unk      int // -1: none (an unknown character is then an error, as in HF)
	unkScore float64
	maxLen   int // longest piece in bytes
}

// unkPenalty is tokenizers' K_UNK_PENALTY.
const unkPenalty = 10.0

func newUnigram(tokens []string, scores []float64, unk int) *unigramModel {
	m := &unigramModel{vocab: make(map[string]int, len(tokens)), scores: scores, tokens: tokens, unk: unk}
	minScore := math.Inf(1)
	for id, t := range tokens {
		m.vocab[t] = id
		m.maxLen = max(m.maxLen, len(t))
		minScore = min(minScore, scores[id])
	}
	m.unkScore = minScore - unkPenalty
	return m
}

func (m *unigramModel) tokenize(word string) ([]piece, error) {
	if word == "" {
		return nil, nil
	}
	type node struct {
		id      int
		score   float64
		startAt int // -1: not reached yet
	}
	best := make([]node, len(word)+1)
	for i := range best {
		best[i].startAt = -1
	}
	for start := 0; start < len(word); {
		_, charLen := utf8.DecodeRuneInString(word[start:])
		base := best[start].score
		single := false
		// Pieces starting here, shortest first (the order of tokenizers' trie search, which
		// decides ties).
		for end := start + 1; end <= min(len(word), start+m.maxLen); end++ {
			id, ok := m.vocab[word[start:end]]
			if !ok {
				continue
			}
			if t := &best[end]; t.startAt < 0 || base+m.scores[id] > t.score {
				*t = node{id: id, score: base + m.scores[id], startAt: start}
			}
			if end-start == charLen {
				single = true
			}
		}
		if !single {
			if m.unk < 0 {
				return nil, errors.New("a character is not in the Unigram vocabulary and the model has no unk_id")
			}
			if t := &best[start+charLen]; t.startAt < 0 || base+m.unkScore > t.score {
				*t = node{id: m.unk, score: base + m.unkScore, startAt: start}
			}
		}
		start += charLen
	}
	var rev []piece
	for end := len(word); end > 0; {
		n := best[end]
		if n.id == m.unk && len(rev) > 0 && rev[len(rev)-1].id == m.unk {
			// fuse_unk: the unknown characters before this one join it.
			rev[len(rev)-1].token = word[n.startAt:end] + rev[len(rev)-1].token
		} else {
			rev = append(rev, piece{n.id, word[n.startAt:end]})
		}
		end = n.startAt
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev, nil
}
