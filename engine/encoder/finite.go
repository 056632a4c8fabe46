package encoder

import (
	"fmt"
	"math"
)

// NonFiniteWeightError is a weight of the checkpoint that is NaN or ±Inf: a broken file, whose
// every result would be meaningless.
type NonFiniteWeightError struct {
	File, Tensor string
	Shape        []int
	Index        int // the first non-finite element, in row-major order
	Value        float32
}

func (e *NonFiniteWeightError) Error() string {
	return fmt.Sprintf("%s: tensor %q %v holds %v at element %d: the checkpoint's weights are broken",
		e.File, e.Tensor, e.Shape, e.Value, e.Index)
}

// expMask selects the exponent bits of a float32.
const expMask = 0x7f800000

// CheckWeights returns a *NonFiniteWeightError for the first weight, in the order of the forward
// pass, that is NaN or ±Inf, or nil if every weight is finite. It reads every weight the model
// uses (for bert-large, 1.3 GB of memory-mapped F32 pages), so Load does not call it: a study
// calls it when what the model computed is not finite, to name the cause.
func (m *Model) CheckWeights() error {
	for _, w := range m.weights {
		for i, v := range w.data {
			if math.Float32bits(v)&expMask == expMask { // all exponent bits set: NaN or ±Inf
				info, _ := m.ckpt.Info(w.name)
				return &NonFiniteWeightError{File: info.File, Tensor: w.name, Shape: info.Shape, Index: i, Value: v}
			}
		}
	}
	return nil
}
