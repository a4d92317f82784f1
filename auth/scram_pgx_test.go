package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// serveSCRAMOnce accepts one connection and authenticates it with v the way
// a PostgreSQL server does, then reports the outcome on the returned channel.
func serveSCRAMOnce(t *testing.T, v *Verifier) (addr string, result <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		done <- authenticate(pgproto3.NewBackend(conn, conn), v)
	}()
	return ln.Addr().String(), done
}

func authenticate(be *pgproto3.Backend, v *Verifier) error {
	if _, err := be.ReceiveStartupMessage(); err != nil {
		return fmt.Errorf("startup: %w", err)
	}
	be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{SCRAMMechanism}})
	if err := be.Flush(); err != nil {
		return err
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	msg, err := be.Receive()
	if err != nil {
		return fmt.Errorf("SASLInitialResponse: %w", err)
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || init.AuthMechanism != SCRAMMechanism {
		return fmt.Errorf("unexpected %#v", msg)
	}
	s := NewSCRAMServer(v)
	fail := func(err error) error {
		be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01", Message: "password authentication failed"})
		be.Flush()
		return err
	}
	serverFirst, err := s.First(init.Data)
	if err != nil {
		return fail(err)
	}
	be.Send(&pgproto3.AuthenticationSASLContinue{Data: serverFirst})
	if err := be.Flush(); err != nil {
		return err
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	if msg, err = be.Receive(); err != nil {
		return fmt.Errorf("SASLResponse: %w", err)
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fmt.Errorf("unexpected %#v", msg)
	}
	serverFinal, err := s.Final(resp.Data)
	if err != nil {
		return fail(err)
	}
	be.Send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	be.Send(&pgproto3.AuthenticationOk{})
	be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	return be.Flush()
}

// TestSCRAMWithPgx authenticates pgx's own SCRAM client against SCRAMServer.
func TestSCRAMWithPgx(t *testing.T) {
	stored, err := NewVerifier("p\u00e4ss w\u00f6rd") // NFC
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	tests := []struct {
		name, password string
		wantErr        error
	}{
		{"right password", "p\u00e4ss w\u00f6rd", nil},
		{"same password in NFD", "pa\u0308ss wo\u0308rd", nil},
		{"wrong password", "pass word", ErrBadPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, result := serveSCRAMOnce(t, stored)
			host, port, _ := net.SplitHostPort(addr)
			cfg, err := pgconn.ParseConfig(fmt.Sprintf("host=%s port=%s user=alice dbname=kalamdb sslmode=disable", host, port))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			cfg.Password = tt.password
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, connErr := pgconn.ConnectConfig(ctx, cfg)
			if connErr == nil {
				conn.Close(ctx)
			}
			serverErr := <-result
			if tt.wantErr == nil {
				if connErr != nil || serverErr != nil {
					t.Fatalf("connect: client %v, server %v", connErr, serverErr)
				}
				return
			}
			if connErr == nil {
				t.Fatalf("pgx connected with the wrong password")
			}
			if !errors.Is(serverErr, tt.wantErr) {
				t.Fatalf("server err = %v, want %v", serverErr, tt.wantErr)
			}
		})
	}
}
