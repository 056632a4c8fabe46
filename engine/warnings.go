package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Warning is something about a study's data that makes its statistics less than they seem.
// The study still runs; `lesionui run` prints its warnings, the JSON record lists them and the
// explorer can show them.
type Warning struct {
	Kind WarningKind `json:"kind"`
	// Layers are the layers concerned, ascending, and Units how many units of each.
	Layers []int `json:"layers"`
	Units  []int `json:"units"`
	// Message says it for people.
	Message string `json:"message"`
}

// WarningKind says what a Warning is about.
type WarningKind int

const (
	// ZeroVariance: units whose activation is the same in every sentence of each group, so
	// that their t is ±Inf and p = 0: "significant" by construction, not by evidence. It
	// happens when each group repeats one sentence.
	ZeroVariance WarningKind = iota
)

// String names the kind as the JSON record does.
func (k WarningKind) String() string {
	if k == ZeroVariance {
		return "zero-variance"
	}
	return fmt.Sprintf("WarningKind(%d)", int(k))
}

// MarshalText encodes the kind by its name.
func (k WarningKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// warnings looks for what Warning describes in the study's tests.
func (s *Study) warnings() []Warning {
	w := Warning{Kind: ZeroVariance}
	for _, lt := range s.Layers {
		n := 0
		for _, t := range lt.T {
			if math.IsInf(t, 0) {
				n++
			}
		}
		if n > 0 {
			w.Layers = append(w.Layers, lt.Layer)
			w.Units = append(w.Units, n)
		}
	}
	if len(w.Layers) == 0 {
		return nil
	}
	total, most := 0, 0
	for _, n := range w.Units {
		total += n
		most = max(most, n)
	}
	w.Message = fmt.Sprintf("in %d of %d layers, up to %d of %d units (%d in all) have the same activation in every sentence "+
		"of each group: their t is infinite and they count as significant by construction, not by evidence%s",
		len(w.Layers), len(s.Layers), most, s.Model.Config.IntermediateSize, total, s.repeatedGroups())
	return []Warning{w}
}

// repeatedGroups names the groups whose sentences are all the same token sequence, as a clause
// for a warning ("" if none).
func (s *Study) repeatedGroups() string {
	var names []string
	ids := s.sentenceIDs
	for _, g := range []struct {
		word string
		seqs [][]int
	}{{s.Set.A.Word, ids[:len(s.Set.A.Sentences)]}, {s.Set.B.Word, ids[len(s.Set.A.Sentences):]}} {
		same := true
		for _, seq := range g.seqs[1:] {
			same = same && slices.Equal(seq, g.seqs[0])
		}
		if same {
			names = append(names, "["+g.word+"]")
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("; every sentence of %s is the same", strings.Join(names, " and of "))
}
