package safetensors

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// bertLargeTensors returns tensors shaped like HuggingFace's bert-large
// (335M parameters, 1.34 GB as F32). All of them are views of one buffer of
// random values, so writing them needs only the largest tensor in memory.
func bertLargeTensors() []Tensor {
	const hidden, inter, layers = 1024, 4096, 24
	buf := make([]float32, 30522*hidden)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range buf {
		buf[i] = float32(r.NormFloat64()) * 0.02
	}
	var ts []Tensor
	add := func(name string, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		ts = append(ts, Tensor{Name: name, DType: F32, Shape: shape, Data: buf[:n]})
	}
	add("bert.embeddings.word_embeddings.weight", 30522, hidden)
	add("bert.embeddings.position_embeddings.weight", 512, hidden)
	add("bert.embeddings.token_type_embeddings.weight", 2, hidden)
	add("bert.embeddings.LayerNorm.weight", hidden)
	add("bert.embeddings.LayerNorm.bias", hidden)
	for l := range layers {
		p := fmt.Sprintf("bert.encoder.layer.%d.", l)
		for _, m := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			add(p+m+".weight", hidden, hidden)
			add(p+m+".bias", hidden)
		}
		add(p+"attention.output.LayerNorm.weight", hidden)
		add(p+"attention.output.LayerNorm.bias", hidden)
		add(p+"intermediate.dense.weight", inter, hidden)
		add(p+"intermediate.dense.bias", inter)
		add(p+"output.dense.weight", hidden, inter)
		add(p+"output.dense.bias", hidden)
		add(p+"output.LayerNorm.weight", hidden)
		add(p+"output.LayerNorm.bias", hidden)
	}
	add("bert.pooler.dense.weight", hidden, hidden)
	add("bert.pooler.dense.bias", hidden)
	return ts
}

// TestBertLargeNotCopied writes a bert-large-shaped F32 checkpoint, opens it
// and reads every tensor, checking that the weights stay in the mapping
// rather than the Go heap. It writes 1.34 GB, so it runs only when
// SAFETENSORS_BIG=1.
func TestBertLargeNotCopied(t *testing.T) {
	if os.Getenv("SAFETENSORS_BIG") != "1" {
		t.Skip("set SAFETENSORS_BIG=1 to write and read a 1.34 GB bert-large checkpoint")
	}
	dir := t.TempDir()
	tensors := bertLargeTensors()
	start := time.Now()
	if err := WriteFile(filepath.Join(dir, SingleFileName), tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("WriteFile: %d tensors in %v", len(tensors), time.Since(start))
	tensors = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	start = time.Now()
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	opened := time.Since(start)
	var params int
	var sum float64
	for _, name := range c.Names() {
		v, err := c.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		params += len(v)
		sum += float64(v[len(v)-1]) // touch one page per tensor
	}
	runtime.ReadMemStats(&after)
	t.Logf("OpenDir %v, Float32 of all tensors %v; %d parameters (checksum %g); heap %d -> %d bytes, %d B total allocated",
		opened, time.Since(start)-opened, params, sum, before.HeapAlloc, after.HeapAlloc, after.TotalAlloc-before.TotalAlloc)
	if params != 335141888 {
		t.Errorf("%d parameters, want bert-large's 335141888", params)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Errorf("reading the checkpoint allocated %d bytes; the weights were copied into the heap", grown)
	}
}
