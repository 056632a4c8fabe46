package encoder

// CheckWeights returns a *safetensors.NonFiniteError naming the weight tensors that hold a NaN
// or ±Inf, or nil if every weight is finite. It reads the whole checkpoint (for bert-large,
// 1.3 GB of memory-mapped pages), so Load does not call it: a study calls it when what the
// model computed is not finite, to name the cause.
func (m *Model) CheckWeights() error { return m.ckpt.CheckFinite() }
