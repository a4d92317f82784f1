package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/server"
)

// The client scenarios (pgx, lib/pq, node-postgres, pgjdbc, psycopg2) all
// log in as clientUser, by password and by JWT, and exercise the same
// ground: DDL, parameterized writes and reads of every contract type with
// NULLs, a failing transaction rolled back, LISTEN/NOTIFY and metadata.
const (
	clientUser     = "app"
	clientPassword = "app-pw"
)

// clientEnv is a server ready for a client scenario.
type clientEnv struct {
	ks    *kserver
	host  string
	port  string
	token string // a JWT for clientUser
	dir   string // scratch directory
}

// startClientServer starts a server with a TLS certificate (so clients
// may use sslmode=require) and creates clientUser.
func startClientServer(t *testing.T) *clientEnv {
	t.Helper()
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	lb := &logBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{
		DataDir:    filepath.Join(dir, "data"),
		PGAddr:     "127.0.0.1:0",
		Durability: hotstore.Async,
		TLSCert:    cert,
		TLSKey:     key,
		Logger:     slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	ks := &kserver{Server: srv, t: t, dir: dir, log: lb}
	t.Cleanup(func() {
		if err := ks.shutdown(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", tail(lb.String(), 8000))
		}
	})
	mustExec(t, ks.root(t), `CREATE USER `+clientUser+` WITH PASSWORD '`+clientPassword+`' IN ROLE dba`)
	tok, err := srv.DB().JWT().Sign(clientUser, auth.RoleDBA, time.Hour)
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	host, port, _ := net.SplitHostPort(srv.PGAddr())
	return &clientEnv{ks: ks, host: host, port: port, token: tok, dir: dir}
}

// writeSelfSigned writes a certificate for 127.0.0.1/localhost and its key.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// runClient runs an external client's scenario with the connection
// details in its environment (KDB_HOST, KDB_PORT, KDB_USER, KDB_PASSWORD,
// KDB_TOKEN) and fails unless it prints "SCENARIO OK".
func (e *clientEnv) runClient(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KDB_HOST="+e.host, "KDB_PORT="+e.port, "KDB_USER="+clientUser,
		"KDB_PASSWORD="+clientPassword, "KDB_TOKEN="+e.token, "PGSSLMODE=disable", "PGGSSENCMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SCENARIO OK") {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s", out)
	return string(out)
}

// requireTool fails (never skips) when a client the scenario needs is
// missing: .ci/run installs them.
func requireTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		t.Fatalf("%s is required (installed by .ci/run): %v", path, err)
	}
	return p
}
