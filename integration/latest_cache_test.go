package integration

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestLatestMessagesSeeEveryCommit reads "the latest messages of a
// conversation" (an index range the hot store caches after the first read)
// on one connection while another inserts, updates and deletes: every read
// right after a write commits must show it, never the cached state before.
func TestLatestMessagesSeeEveryCommit(t *testing.T) {
	ks := startServer(t, "")
	writer, reader := ks.root(t), ks.root(t)
	mustExec(t, writer,
		"CREATE TABLE chat (id bigint PRIMARY KEY, conversation_id text, content text)",
		"CREATE INDEX ON chat (conversation_id, id)")
	ctx := context.Background()
	latest := func(conv string) []string {
		t.Helper()
		rows, err := reader.Query(ctx, "SELECT id, content FROM chat WHERE conversation_id = $1 ORDER BY id DESC LIMIT 3", conv)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id int64
			var content string
			if err := rows.Scan(&id, &content); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d:%s", id, content))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// model holds what each conversation should contain: id -> content.
	model := map[string]map[int64]string{"c0": {}, "c1": {}}
	check := func(conv string) {
		t.Helper()
		var ids []int64
		for id := range model[conv] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		var want []string
		for _, id := range ids[:min(3, len(ids))] {
			want = append(want, fmt.Sprintf("%d:%s", id, model[conv][id]))
		}
		for range 2 { // the second read comes from the cache
			if got := latest(conv); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("latest of %s = %v, want %v", conv, got, want)
			}
		}
	}
	for i := int64(1); i <= 200; i++ {
		conv := fmt.Sprintf("c%d", i%2)
		mustExec(t, writer, fmt.Sprintf("INSERT INTO chat VALUES (%d, '%s', 'm%d')", i, conv, i))
		model[conv][i] = fmt.Sprintf("m%d", i)
		switch i % 10 {
		case 0: // edit a recent message
			mustExec(t, writer, fmt.Sprintf("UPDATE chat SET content = 'edited' WHERE id = %d", i-2))
			model[conv][i-2] = "edited"
		case 5: // delete the newest
			mustExec(t, writer, fmt.Sprintf("DELETE FROM chat WHERE id = %d", i))
			delete(model[conv], i)
		case 7: // move one to the other conversation
			other := fmt.Sprintf("c%d", (i+1)%2)
			mustExec(t, writer, fmt.Sprintf("UPDATE chat SET conversation_id = '%s' WHERE id = %d", other, i))
			model[other][i] = model[conv][i]
			delete(model[conv], i)
		}
		check("c0")
		check("c1")
	}
}
