package encoder

import (
	"fmt"
	"math"
	"strings"

	"lesionui/engine/linalg"
)

// activation is a nonlinearity as HuggingFace's activations.py (ACT2FN, get_activation) names it
// in config.json. The expansion units of every family pass through one of these, and so do the
// MLM heads.
type activation uint8

const (
	actGELU     activation = iota // "gelu": x·Φ(x), with erf (GELUActivation)
	actGELUTanh                   // "gelu_new", "gelu_pytorch_tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
	actReLU                       // "relu": max(0, x)
	actSiLU                       // "silu", "swish": x·σ(x)
)

// activationNames maps config.json's names to the activations lesionui implements.
var activationNames = map[string]activation{
	"gelu": actGELU, "gelu_new": actGELUTanh, "gelu_pytorch_tanh": actGELUTanh,
	"relu": actReLU, "silu": actSiLU, "swish": actSiLU,
}

// supportedActivations lists activationNames for error messages.
const supportedActivations = `"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu" (or "swish")`

// parseActivation resolves config.json's name for an activation; field is the config field that
// named it, for the error.
func parseActivation(field, name string) (activation, error) {
	if a, ok := activationNames[strings.TrimSpace(name)]; ok {
		return a, nil
	}
	return 0, fmt.Errorf("%s %q is not supported (lesionui implements %s)", field, name, supportedActivations)
}

// apply replaces x by act(x) elementwise.
func (a activation) apply(x []float32) {
	switch a {
	case actGELU:
		linalg.GELU(x)
	case actGELUTanh:
		linalg.GELUTanh(x)
	case actReLU:
		for i, v := range x {
			x[i] = max(v, 0)
		}
	case actSiLU:
		for i, v := range x {
			x[i] = float32(float64(v) / (1 + math.Exp(-float64(v))))
		}
	}
}
