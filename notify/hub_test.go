package notify

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kalamdb/kalamdb/types"
)

func drain(t *testing.T, l *Listener) []Notification {
	t.Helper()
	got, err := l.Drain(nil)
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return got
}

func payloads(ns []Notification) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, n.Channel+":"+n.Payload)
	}
	return strings.Join(parts, " ")
}

func TestPublishReachesListenersInOrder(t *testing.T) {
	h := NewHub(Options{})
	a, b := h.NewListener(1), h.NewListener(2)
	h.Listen(a, "x")
	h.Listen(a, "y")
	h.Listen(b, "y")
	h.Listen(b, "y") // twice is once
	h.Publish(7, []Entry{{Channel: "x", Payload: "1"}, {Channel: "z", Payload: "nobody"}, {Channel: "y", Payload: "2"}})
	h.Publish(7, []Entry{{Channel: "y", Payload: "3"}})
	if got, want := payloads(drain(t, a)), "x:1 y:2 y:3"; got != want {
		t.Fatalf("a got %q, want %q", got, want)
	}
	got := drain(t, b)
	if p, want := payloads(got), "y:2 y:3"; p != want {
		t.Fatalf("b got %q, want %q", p, want)
	}
	if got[0].PID != 7 {
		t.Fatalf("pid %d, want 7", got[0].PID)
	}
	if got := drain(t, b); len(got) != 0 {
		t.Fatalf("second drain got %v", got)
	}
}

func TestUnlisten(t *testing.T) {
	h := NewHub(Options{})
	l := h.NewListener(1)
	h.Listen(l, "a")
	h.Listen(l, "b")
	h.Publish(1, []Entry{{Channel: "a", Payload: "queued"}, {Channel: "b", Payload: "kept"}})
	h.Unlisten(l, "a")
	if got, want := payloads(drain(t, l)), "b:kept"; got != want {
		t.Fatalf("after UNLISTEN a got %q, want %q (queued a dropped)", got, want)
	}
	if h.Listening("a") || !h.Listening("b") {
		t.Fatalf("Listening a=%v b=%v, want false true", h.Listening("a"), h.Listening("b"))
	}
	if got := l.Channels(); len(got) != 1 || got[0] != "b" {
		t.Fatalf("Channels = %v", got)
	}
	h.UnlistenAll(l)
	h.Publish(1, []Entry{{Channel: "b", Payload: "late"}})
	if got := drain(t, l); len(got) != 0 || h.Listening("b") || len(l.Channels()) != 0 {
		t.Fatalf("after UNLISTEN *: got %v, listening %v", got, h.Listening("b"))
	}
}

func TestWakeOncePerEmptyQueue(t *testing.T) {
	h := NewHub(Options{})
	l := h.NewListener(1)
	wakes := 0
	l.SetWake(func() { wakes++ })
	h.Listen(l, "c")
	h.Publish(1, []Entry{{Channel: "c", Payload: "1"}})
	h.Publish(1, []Entry{{Channel: "c", Payload: "2"}})
	if wakes != 1 {
		t.Fatalf("wakes = %d, want 1 while the queue is non-empty", wakes)
	}
	drain(t, l)
	h.Publish(1, []Entry{{Channel: "c", Payload: "3"}})
	if wakes != 2 {
		t.Fatalf("wakes = %d, want 2 after a drain", wakes)
	}
}

func TestOverflowPolicy(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		n    int
		size int
	}{
		{"count", Options{QueueLen: 3}, 4, 1},
		{"bytes", Options{QueueBytes: 100}, 2, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHub(tc.opts)
			l := h.NewListener(1)
			h.Listen(l, "c")
			for i := range tc.n {
				h.Publish(1, []Entry{{Channel: "c", Payload: strings.Repeat("x", tc.size) + fmt.Sprint(i)}})
			}
			if l.Usage() != 1 || !l.Pending() {
				t.Fatalf("usage %v pending %v after overflow", l.Usage(), l.Pending())
			}
			if _, err := l.Drain(nil); err != ErrOverflow {
				t.Fatalf("Drain err = %v, want ErrOverflow", err)
			}
			l.mu.Lock()
			queued := len(l.queue)
			l.mu.Unlock()
			if queued != 0 {
				t.Fatalf("%d notifications kept after overflow", queued)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	h := NewHub(Options{QueueLen: 4})
	l := h.NewListener(1)
	h.Listen(l, "c")
	h.Publish(1, []Entry{{Channel: "c", Payload: "a"}})
	if got := l.Usage(); got != 0.25 {
		t.Fatalf("Usage = %v, want 0.25", got)
	}
}

// TestConcurrentPublishOneOrder checks that concurrent publications on
// shared channels reach every listener in one and the same order.
func TestConcurrentPublishOneOrder(t *testing.T) {
	h := NewHub(Options{})
	ls := make([]*Listener, 4)
	for i := range ls {
		ls[i] = h.NewListener(uint32(i))
		h.Listen(ls[i], "a")
		h.Listen(ls[i], "b")
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p := fmt.Sprintf("%d-%d", w, i)
				h.Publish(uint32(w), []Entry{{Channel: "b", Payload: p}, {Channel: "a", Payload: p}})
			}
		}()
	}
	// Listeners come and go meanwhile.
	wg.Add(1)
	go func() {
		defer wg.Done()
		extra := h.NewListener(99)
		for range 200 {
			h.Listen(extra, "a")
			h.UnlistenAll(extra)
		}
	}()
	wg.Wait()
	want := payloads(drain(t, ls[0]))
	if n := strings.Count(want, " ") + 1; n != 1600 {
		t.Fatalf("listener 0 got %d notifications, want 1600", n)
	}
	for i := 1; i < len(ls); i++ {
		if got := payloads(drain(t, ls[i])); got != want {
			t.Fatalf("listener %d saw another order", i)
		}
	}
}

func TestChangePayloadIsLazy(t *testing.T) {
	h := NewHub(Options{})
	tab := &Table{Name: "public.m", Columns: []Column{{Name: "id", Type: types.Of(types.Int8)}}, Key: []int{0}}
	c := &Change{Table: tab, Partition: "user_nobody", Op: OpInsert, Seq: 5, Row: []any{int64(1)}}
	h.Publish(1, []Entry{{Change: c}})
	if c.payload != "" {
		t.Fatal("payload built for a channel nobody listens to")
	}
	l := h.NewListener(1)
	h.Listen(l, "user_nobody")
	h.Publish(1, []Entry{{Change: c}})
	got := drain(t, l)
	if len(got) != 1 || got[0].Channel != "user_nobody" || got[0].Payload != `{"table":"public.m","op":"insert","seq":5,"row":{"id":1}}` {
		t.Fatalf("got %+v", got)
	}
}

func TestManyChannelsInOneTransaction(t *testing.T) {
	h := NewHub(Options{})
	l := h.NewListener(1)
	var entries []Entry
	var want []string
	for i := range 20 {
		name := fmt.Sprintf("c%02d", 19-i)
		h.Listen(l, name)
		entries = append(entries, Entry{Channel: name, Payload: "p"})
		want = append(want, name+":p")
	}
	h.Publish(1, entries)
	if got := payloads(drain(t, l)); got != strings.Join(want, " ") {
		t.Fatalf("got %q", got)
	}
}
