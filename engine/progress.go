package engine

// Phase names the part of the study's work that a Progress reports.
type Phase string

// The phases the engine reports. All count layers.
const (
	PhaseCollect   Phase = "collect"    // New: recording the activations of every layer
	PhaseSweep     Phase = "sweep"      // Sweep: lesioning every layer
	PhaseBaseline  Phase = "baseline"   // Run: the random baseline of every layer
	PhaseEvalClean Phase = "eval clean" // NewEvaluation: the evaluation set's traced clean pass
	PhaseEval      Phase = "eval"       // Run: the evaluation set's lesions of every layer
)

// Progress reports how far a phase of the study has come: Done of Total layers. Whoever shows
// it formats it; the engine knows nothing of what comes before it (finding or downloading the
// model).
type Progress struct {
	Phase       Phase
	Done, Total int // layers
}
