package linalg

import (
	"sync"
	"testing"
)

// TestParallelRanges checks that every task runs exactly once and that the
// next-task hint is a task of the same share still to come (or -1).
func TestParallelRanges(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
		var mu sync.Mutex
		runs := make([]int, n)
		parallelRanges(n, func(task, next int) {
			mu.Lock()
			defer mu.Unlock()
			runs[task]++
			if next != -1 && (next <= task || next >= n) {
				t.Errorf("n=%d: task %d hints next %d", n, task, next)
			}
		})
		for i, r := range runs {
			if r != 1 {
				t.Fatalf("n=%d: task %d ran %d times", n, i, r)
			}
		}
	}
}
