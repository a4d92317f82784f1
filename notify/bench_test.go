package notify

import (
	"fmt"
	"testing"

	"github.com/kalamdb/kalamdb/types"
)

// BenchmarkPublish publishes one change per op with 10k user channels of
// which one has a listener: to that channel (the JSON is built and
// queued) and to the others (nobody listens: a lookup). Neither may grow
// with the number of channels.
func BenchmarkPublish(b *testing.B) {
	h := NewHub(Options{QueueLen: 1 << 30, QueueBytes: 1 << 40})
	users := make([]string, 10000)
	for i := range users {
		users[i] = fmt.Sprintf("user_%05d", i)
		if i > 0 {
			h.Listen(h.NewListener(uint32(i)), "other_"+users[i]) // a populated hub
		}
	}
	l := h.NewListener(1)
	h.Listen(l, users[0])
	tab := &Table{Name: "public.messages", Key: []int{0}, Columns: []Column{
		{Name: "msg_id", Type: types.Of(types.Int8)}, {Name: "content", Type: types.Of(types.Text)},
	}}
	run := func(b *testing.B, user func(i int) string) {
		b.ReportAllocs()
		for i := range b.N {
			c := &Change{Table: tab, Partition: user(i), Op: OpInsert, Seq: int64(i), Row: []any{int64(i), "hello"}}
			h.Publish(2, []Entry{{Change: c}})
			if i%4096 == 0 {
				l.Drain(nil)
			}
		}
	}
	b.Run("10k-channels-to-listener", func(b *testing.B) { run(b, func(int) string { return users[0] }) })
	b.Run("10k-channels-to-unlistened", func(b *testing.B) { run(b, func(i int) string { return users[1+i%(len(users)-1)] }) })
}
