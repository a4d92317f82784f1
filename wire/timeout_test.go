package wire

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// TestStatementTimeoutBetweenMessages: statement_timeout runs from a
// statement's first extended-protocol message, so a client stalling
// between Parse and Describe gets 57014, as from PostgreSQL; Sync and a
// finished Execute restart the timer.
func TestStatementTimeoutBetweenMessages(t *testing.T) {
	_, addr := startServer(t, Config{}, &testBackend{timeout: 50 * time.Millisecond}, nil)
	nc, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))

	fe.SendParse(&pgproto3.Parse{Name: "s", Query: "select 1"})
	fe.Send(&pgproto3.Flush{})
	fe.Flush()
	expect(t, fe, &pgproto3.ParseComplete{})
	time.Sleep(120 * time.Millisecond)
	fe.SendDescribe(&pgproto3.Describe{ObjectType: 'S', Name: "s"})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	got := expect(t, fe, &pgproto3.ErrorResponse{}, &pgproto3.ReadyForQuery{})
	if code := got[0].(*pgproto3.ErrorResponse).Code; code != pgerr.QueryCanceled {
		t.Fatalf("code %s, want %s", code, pgerr.QueryCanceled)
	}

	// A quick batch after Sync is fine, and so is a pause after Execute.
	fe.SendParse(&pgproto3.Parse{Query: "select 1"})
	fe.SendBind(&pgproto3.Bind{})
	fe.SendExecute(&pgproto3.Execute{})
	fe.Send(&pgproto3.Flush{})
	fe.Flush()
	expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.BindComplete{}, &pgproto3.DataRow{}, &pgproto3.CommandComplete{})
	time.Sleep(120 * time.Millisecond)
	fe.SendParse(&pgproto3.Parse{Query: "select 2"})
	fe.SendSync(&pgproto3.Sync{})
	fe.Flush()
	expect(t, fe, &pgproto3.ParseComplete{}, &pgproto3.ReadyForQuery{})
}
