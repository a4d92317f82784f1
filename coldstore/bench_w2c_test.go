package coldstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

// w2cSchema is the integration benchmark's w2_messages table.
var w2cSchema = []catalog.Column{col(1, "id", types.Int8), col(2, "conversation_id", types.Text),
	col(3, "sender", types.Text), col(4, "content", types.Text), col(5, "created_at", types.Timestamptz)}

// w2cStore flushes n rows shaped like W2's history (ids 1..n of 10k
// users' conversations, 210 bytes of text from a small vocabulary) as one
// segment, as kalamdb_flush_all does, and returns their keys.
func w2cStore(b *testing.B, n int) (*Store, [][]byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("hello the model said we should ship it today tokens context reply thanks can you check again later ok")
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]row, n)
	keys := make([][]byte, n)
	for i := range rows {
		var sb strings.Builder
		for sb.Len() < 210 {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[rng.IntN(len(words))])
		}
		u := rng.IntN(10000)
		id := int64(i + 1)
		keys[i] = intKey(b, id)
		rows[i] = row{key: keys[i], seq: int64(1<<40) + id, vals: map[uint32]any{
			1: id, 2: fmt.Sprintf("conv_%06d", u), 3: fmt.Sprintf("user_%06d", u), 4: sb.String()[:210], 5: base.Add(time.Duration(i) * time.Second)}}
	}
	s := openStore(b)
	flush(b, s, testPart, w2cSchema, rows...)
	return s, keys
}

// BenchmarkPointLookupW2c is the cold half of W2c's point lookup: Get of
// uniformly random ids of a 500k-row segment with the default cache, one
// goroutine ("serial") and as many as GOMAXPROCS ("parallel").
func BenchmarkPointLookupW2c(b *testing.B) {
	s, keys := w2cStore(b, 500000)
	warm := func() {
		for i := 0; i < len(keys); i += 997 {
			s.Get(b.Context(), testPart, keys[i])
		}
	}
	b.Run("serial", func(b *testing.B) {
		warm()
		rng := rand.New(rand.NewPCG(1, 1))
		for b.Loop() {
			if _, ok, err := s.Get(b.Context(), testPart, keys[rng.IntN(len(keys))]); !ok || err != nil {
				b.Fatalf("get: %v %v", ok, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		warm()
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
			for pb.Next() {
				if _, ok, err := s.Get(b.Context(), testPart, keys[rng.IntN(len(keys))]); !ok || err != nil {
					b.Errorf("get: %v %v", ok, err)
					return
				}
			}
		})
	})
}
