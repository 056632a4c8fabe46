package linalg

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool: runtime.GOMAXPROCS(0)-1 persistent goroutines, started on
// first use, that help the calling goroutine drain parallelFor jobs. Tasks are
// claimed from an atomic counter, so a call makes progress even while the
// helpers are busy with another caller's job.

type job struct {
	fn   func(task int)
	n    int64
	next atomic.Int64
	wg   sync.WaitGroup
}

var (
	poolOnce sync.Once
	poolJobs chan *job
	poolSize int // goroutines that may work on a job, the caller included
)

func startPool() {
	poolSize = max(1, runtime.GOMAXPROCS(0))
	poolJobs = make(chan *job, poolSize)
	for i := 1; i < poolSize; i++ {
		go func() {
			for j := range poolJobs {
				j.run()
			}
		}()
	}
}

func (j *job) run() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.fn(int(i))
		j.wg.Done()
	}
}

// workers returns how many goroutines parallelFor can use.
func workers() int {
	poolOnce.Do(startPool)
	return poolSize
}

// parallelFor runs fn(0..n-1) on the pool and the calling goroutine and
// returns when all have finished.
func parallelFor(n int, fn func(task int)) {
	if n <= 0 {
		return
	}
	w := workers()
	if n == 1 || w == 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	j := &job{fn: fn, n: int64(n)}
	j.wg.Add(n)
	for h := 1; h < min(n, w); h++ {
		select {
		case poolJobs <- j:
		default: // helpers saturated; the caller drains the rest
		}
	}
	j.run()
	j.wg.Wait()
}

// Parallel runs fn(0), …, fn(n-1) on the kernels' worker pool and the calling goroutine and
// returns when all have finished: for work between kernel calls (attention over many rows)
// that should share the kernels' threads rather than start its own.
func Parallel(n int, fn func(task int)) { parallelFor(n, fn) }
