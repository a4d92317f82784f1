package gateway

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitDone fails the test unless ch closes within a few seconds.
func waitDone(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: Done not closed", what)
	}
}

// The timeout ends the context whether or not anyone asked for Done: Err
// reads the clock, and what it reports then (Err, Done, Cause) is the
// standard context's.
func TestRequestContextDeadlineWithoutDone(t *testing.T) {
	c := newRequestContext(context.Background(), context.Background(), 20*time.Millisecond)
	defer c.release()
	if err := c.Err(); err != nil {
		t.Fatalf("Err before the deadline = %v, want nil", err)
	}
	if c.inner.Load() != nil {
		t.Fatal("Err built the standard context before anything ended")
	}
	time.Sleep(30 * time.Millisecond)
	if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Err after the deadline = %v, want DeadlineExceeded", err)
	}
	waitDone(t, c.Done(), "after the deadline")
	if got := context.Cause(c); !errors.Is(got, context.DeadlineExceeded) {
		t.Fatalf("Cause = %v, want DeadlineExceeded", got)
	}
}

func TestRequestContextDeadlineWithDone(t *testing.T) {
	c := newRequestContext(context.Background(), context.Background(), 20*time.Millisecond)
	defer c.release()
	done := c.Done() // built before the deadline: its timer closes it
	child, cancel := context.WithCancel(c)
	defer cancel()
	waitDone(t, done, "deadline")
	waitDone(t, child.Done(), "derived context")
	if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want DeadlineExceeded", err)
	}
	if d, ok := c.Deadline(); !ok || d.IsZero() {
		t.Fatalf("Deadline = %v, %v", d, ok)
	}
}

func TestRequestContextParents(t *testing.T) {
	for _, which := range []string{"request", "gateway"} {
		for _, built := range []bool{false, true} {
			req, cancelReq := context.WithCancel(context.Background())
			gw, cancelGW := context.WithCancel(context.Background())
			c := newRequestContext(req, gw, time.Hour)
			var done <-chan struct{}
			if built {
				done = c.Done()
			}
			if which == "request" {
				cancelReq()
			} else {
				cancelGW()
			}
			if err := c.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s canceled (built %v): Err = %v, want Canceled", which, built, err)
			}
			if done == nil {
				done = c.Done()
			}
			waitDone(t, done, which+" canceled")
			c.release()
			cancelReq()
			cancelGW()
		}
	}
}

// After its request, a context reads canceled, and one built then
// registers nothing with the gateway.
func TestRequestContextRelease(t *testing.T) {
	gw, cancelGW := context.WithCancel(context.Background())
	defer cancelGW()
	c := newRequestContext(context.Background(), gw, time.Hour)
	if err := c.Err(); err != nil {
		t.Fatalf("Err = %v, want nil", err)
	}
	c.release()
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Err after release = %v, want Canceled", err)
	}
	waitDone(t, c.Done(), "after release")
	if c.inner.Load().stop() {
		t.Fatal("a context built after release registered with the gateway")
	}

	built := newRequestContext(context.Background(), gw, time.Hour)
	built.Done()
	built.release()
	if built.inner.Load().stop() {
		t.Fatal("release left its registration with the gateway")
	}
	waitDone(t, built.Done(), "built, then released")
}

// Values come from the request's context.
func TestRequestContextValue(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "v")
	c := newRequestContext(parent, context.Background(), time.Hour)
	defer c.release()
	if got := c.Value(key{}); got != "v" {
		t.Fatalf("Value = %v, want v", got)
	}
	c.Done()
	if got := c.Value(key{}); got != "v" {
		t.Fatalf("Value once built = %v, want v", got)
	}
}

// A query that asks for Err on every row gets the standard context after
// a while, so that a long scan does not read the clock per row; it stays
// live until its deadline.
func TestRequestContextBuiltForLongScans(t *testing.T) {
	c := newRequestContext(context.Background(), context.Background(), time.Hour)
	defer c.release()
	for i := 0; i < pollsBeforeBuild; i++ {
		if err := c.Err(); err != nil {
			t.Fatalf("Err %d = %v", i, err)
		}
	}
	if c.inner.Load() != nil {
		t.Fatalf("built after %d polls, want more", pollsBeforeBuild)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	if c.inner.Load() == nil {
		t.Fatal("not built after many polls")
	}
	if d, _ := c.inner.Load().ctx.Deadline(); !d.Equal(c.deadline) {
		t.Fatalf("built deadline %v, want %v", d, c.deadline)
	}
}

// BenchmarkRequestContext compares a request's context with the standard
// one it replaces (WithTimeout and AfterFunc on the gateway's), each asked
// for Err a few times as a point lookup does; the parents are cancelable,
// as net/http's request context is.
func BenchmarkRequestContext(b *testing.B) {
	req, cancelReq := context.WithCancel(context.Background())
	defer cancelReq()
	gw, cancelGW := context.WithCancel(context.Background())
	defer cancelGW()
	b.Run("requestContext", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c := newRequestContext(req, gw, 30*time.Second)
				for range 4 {
					_ = c.Err()
				}
				c.release()
			}
		})
	})
	b.Run("WithTimeout+AfterFunc", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c, cancel := context.WithTimeout(req, 30*time.Second)
				stop := context.AfterFunc(gw, cancel)
				for range 4 {
					_ = c.Err()
				}
				stop()
				cancel()
			}
		})
	})
}
