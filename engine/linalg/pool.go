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

// parallelRanges runs fn(0), …, fn(n-1) like parallelFor, but each
// goroutine works through its own contiguous share of the tasks in order,
// then takes tasks from the back of the largest remaining share. fn learns
// the task its goroutine will most likely run next (-1 if none), to
// prefetch its data.
func parallelRanges(n int, fn func(task, next int)) {
	if n <= 0 {
		return
	}
	w := min(workers(), n)
	shares := make([]atomic.Uint64, w) // lo<<32 | hi
	for i := range shares {
		shares[i].Store(uint64(i*n/w)<<32 | uint64((i+1)*n/w))
	}
	// claim takes the first (front) or last task of share i, or returns -1.
	claim := func(i int, front bool) int {
		for {
			v := shares[i].Load()
			lo, hi := int(v>>32), int(v&0xffffffff)
			if lo >= hi {
				return -1
			}
			nv, t := uint64(lo+1)<<32|uint64(hi), lo
			if !front {
				nv, t = uint64(lo)<<32|uint64(hi-1), hi-1
			}
			if shares[i].CompareAndSwap(v, nv) {
				return t
			}
		}
	}
	parallelFor(w, func(i int) {
		for t := claim(i, true); t >= 0; t = claim(i, true) {
			next := -1
			if v := shares[i].Load(); int(v>>32) < int(v&0xffffffff) {
				next = int(v >> 32)
			}
			fn(t, next)
		}
		for {
			best, most := -1, 0
			for j := range shares {
				v := shares[j].Load()
				if left := int(v&0xffffffff) - int(v>>32); left > most {
					best, most = j, left
				}
			}
			if best < 0 {
				return
			}
			if t := claim(best, false); t >= 0 {
				fn(t, -1)
			}
		}
	})
}
