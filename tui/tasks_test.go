package tui

import (
	"testing"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// drain takes every lesion the queue would compute, in order, without computing them.
func drain(q *lesionQueue, n int) []lesionKey {
	var order []lesionKey
	for range n {
		q.mu.Lock()
		k, ok := q.pick()
		if ok {
			q.sent[q.kind][k] = true
		}
		q.mu.Unlock()
		if !ok {
			break
		}
		order = append(order, k)
	}
	return order
}

func TestLesionQueueNearestFirst(t *testing.T) {
	s := deepStudy(t)
	q := newLesionQueue()
	q.show(1, stats.Student, s, lesionKey{10, engine.LeastTuned}, 1, true, true)
	order := drain(q, 6)
	want := []lesionKey{{10, engine.LeastTuned}, {10, engine.MostTuned}, {11, engine.LeastTuned}, {11, engine.MostTuned},
		{9, engine.LeastTuned}, {9, engine.MostTuned}}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v first", order, want)
		}
	}
	// The user jumps to layer 0 while going up: what is left is reordered at once.
	q.show(1, stats.Student, s, lesionKey{0, engine.MostTuned}, -1, true, true)
	order = drain(q, 100)
	if order[0] != (lesionKey{0, engine.MostTuned}) || order[1] != (lesionKey{0, engine.LeastTuned}) || order[2].layer != 1 {
		t.Errorf("after the jump: %v", order[:3])
	}
	if len(order) != 2*len(s.Layers)-6 {
		t.Errorf("%d lesions left, want %d", len(order), 2*len(s.Layers)-6)
	}
	for i := 1; i < len(order); i++ {
		if d0, d1 := order[i-1].layer, order[i].layer; d1 < d0 {
			t.Errorf("from layer 0 the order goes back: %v", order)
			break
		}
	}
	if q.pending() {
		t.Error("the queue is pending with every lesion taken")
	}
	// Another t-test has lesions of its own; a new study starts over.
	q.show(1, stats.Welch, s, lesionKey{3, engine.MostTuned}, 0, true, true)
	if order := drain(q, 100); len(order) != 2*len(s.Layers) || order[0] != (lesionKey{3, engine.MostTuned}) {
		t.Errorf("Welch: %d lesions, first %v", len(order), order[0])
	}
	q.show(2, stats.Student, s, lesionKey{3, engine.MostTuned}, 0, true, true)
	if order := drain(q, 100); len(order) != 2*len(s.Layers) {
		t.Errorf("a new study: %d lesions", len(order))
	}
}

func TestLesionQueueWithoutBackground(t *testing.T) {
	s := deepStudy(t)
	q := newLesionQueue()
	q.show(1, stats.Student, s, lesionKey{5, engine.MostTuned}, 1, true, false)
	if order := drain(q, 100); len(order) != 1 || order[0] != (lesionKey{5, engine.MostTuned}) {
		t.Errorf("background off: %v, want only the lesion shown", order)
	}
	q.show(1, stats.Student, s, lesionKey{6, engine.MostTuned}, 1, false, false)
	if order := drain(q, 100); len(order) != 0 {
		t.Errorf("lesion off, background off: %v", order)
	}
	q.retry(stats.Student, lesionKey{5, engine.MostTuned})
	q.show(1, stats.Student, s, lesionKey{5, engine.MostTuned}, 1, true, false)
	if order := drain(q, 100); len(order) != 1 {
		t.Errorf("after retry: %v", order)
	}
}
