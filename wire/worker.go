package wire

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// A goroutine's stack grows to its deepest call and shrinks only at a
// garbage collection, by half at a time. A connection goroutine that ran a
// query would keep a query's stack (8-16 KiB) through hours of idleness, so
// the connection goroutine only waits for input, and the work — the
// handshake and answering messages — runs on a worker: a pooled goroutine
// whose grown stack serves one busy connection after another.

// workerIdle is how long a worker waits for more work before it exits.
const workerIdle = 10 * time.Second

// workers hands connection work to idle worker goroutines, starting one
// when none is idle: a connection never waits for another's work.
type workers struct {
	idle chan *job       // unbuffered: a send succeeds only if a worker waits
	stop <-chan struct{} // closed by Server.Shutdown: idle workers exit
	runs atomic.Uint64   // jobs handed over so far, for tests
}

func newWorkers(stop <-chan struct{}) *workers {
	return &workers{idle: make(chan *job), stop: stop}
}

// job is a connection's unit of work, reused for each of its runs.
type job struct {
	fn       func() bool
	ok       bool         // fn's result
	panicked *workerPanic // set when fn panicked
	done     sync.WaitGroup
}

// workerPanic carries a panic from a worker to the connection goroutine,
// which reports it with the worker's stack.
type workerPanic struct {
	value any
	stack []byte
}

// run runs fn on a worker and returns its result; a panic in fn is raised
// again, as a *workerPanic, in the caller.
func (w *workers) run(j *job, fn func() bool) bool {
	w.runs.Add(1)
	j.fn, j.ok = fn, false
	j.done.Add(1)
	select {
	case w.idle <- j:
	default:
		go w.work(j)
	}
	j.done.Wait()
	j.fn = nil
	if p := j.panicked; p != nil {
		j.panicked = nil
		panic(p)
	}
	return j.ok
}

// work runs j, then whatever it is handed until idle for workerIdle.
func (w *workers) work(j *job) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		j.runOnce()
		t.Reset(workerIdle)
		select {
		case j = <-w.idle:
		case <-t.C:
			return
		case <-w.stop:
			return
		}
	}
}

func (j *job) runOnce() {
	defer j.done.Done()
	defer func() {
		if r := recover(); r != nil {
			j.panicked = &workerPanic{value: r, stack: debug.Stack()}
		}
	}()
	j.ok = j.fn()
}
