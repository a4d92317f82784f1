package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
)

const aliceToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"

func authBackend(t *testing.T) *testBackend {
	t.Helper()
	v, err := auth.NewVerifier("secret")
	if err != nil {
		t.Fatal(err)
	}
	root, err := auth.NewVerifier("rootpw")
	if err != nil {
		t.Fatal(err)
	}
	return &testBackend{
		users:  map[string]*auth.Verifier{"alice": v, "bob": v, "tokenonly": nil, "root": root},
		tokens: map[string]string{aliceToken: "alice", "eyJ.eyJ.Ym9i": "bob", "eyJ.eyJ.dG9rZW5vbmx5": "tokenonly"},
	}
}

type login struct {
	user, password string
	code           string // "" for success
}

func checkLogins(t *testing.T, addr, extra string, logins []login) {
	t.Helper()
	for _, l := range logins {
		c, err := tryConnect(t, addr, l.user, l.password, extra)
		if l.code == "" {
			if err != nil {
				t.Fatalf("%s/%q: %v", l.user, l.password, err)
			}
			c.Close(testCtx(t))
			continue
		}
		if err == nil {
			c.Close(testCtx(t))
			t.Fatalf("%s/%q: logged in, want %s", l.user, l.password, l.code)
		}
		pe := wantCode(t, err, l.code)
		if l.code == pgerr.InvalidPassword {
			if want := `password authentication failed for user "` + l.user + `"`; pe.Message != want {
				t.Fatalf("%s: message %q, want %q", l.user, pe.Message, want)
			}
		}
	}
}

func TestAuthCleartextLoopback(t *testing.T) {
	_, addr := startServer(t, Config{}, authBackend(t), nil)
	checkLogins(t, addr, "", []login{
		{"alice", "secret", ""},
		{"alice", aliceToken, ""},
		{"tokenonly", "eyJ.eyJ.dG9rZW5vbmx5", ""},
		{"alice", "wrong", pgerr.InvalidPassword},
		{"alice", "", pgerr.InvalidPassword},
		{"alice", "eyJ.eyJ.Ym9i", pgerr.InvalidPassword}, // bob's token
		{"nobody", "secret", pgerr.InvalidPassword},
		{"tokenonly", "secret", pgerr.InvalidPassword},
	})
}

func TestAuthSCRAM(t *testing.T) {
	_, addr := startServer(t, Config{Auth: AuthSCRAM}, authBackend(t), nil)
	checkLogins(t, addr, "", []login{
		{"alice", "secret", ""},
		{"alice", "wrong", pgerr.InvalidPassword},
		{"alice", aliceToken, pgerr.InvalidPassword}, // SCRAM carries no token
		{"nobody", "secret", pgerr.InvalidPassword},
		{"tokenonly", "x", pgerr.InvalidPassword},
	})
}

func TestAuthRemote(t *testing.T) {
	t.Run("auto uses SCRAM", func(t *testing.T) {
		_, addr := startServer(t, Config{}, authBackend(t), fromRemote)
		checkLogins(t, addr, "", []login{
			{"alice", "secret", ""},
			{"alice", aliceToken, pgerr.InvalidPassword},
			{"nobody", "secret", pgerr.InvalidPassword},
		})
	})
	t.Run("password refused without TLS", func(t *testing.T) {
		_, addr := startServer(t, Config{Auth: AuthPassword}, authBackend(t), fromRemote)
		checkLogins(t, addr, "", []login{{"alice", "secret", pgerr.InvalidAuthorization}})
	})
	t.Run("root without password", func(t *testing.T) {
		_, addr := startServer(t, Config{}, &testBackend{}, fromRemote)
		checkLogins(t, addr, "", []login{{"root", "", pgerr.InvalidAuthorization}})
	})
}

func TestRootPassword(t *testing.T) {
	b := authBackend(t)
	b.rootPass = true
	_, addr := startServer(t, Config{}, b, nil)
	checkLogins(t, addr, "", []login{
		{"root", "", pgerr.InvalidPassword},
		{"root", "rootpw", ""},
	})
	c := connect(t, addr, "root", "rootpw", "")
	if got := c.PgConn().ParameterStatus("is_superuser"); got != "on" {
		t.Fatalf("is_superuser %q for root", got)
	}
}

func TestTLS(t *testing.T) {
	cfg := &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	b := authBackend(t)
	b.sleeping = make(chan struct{}, 1)
	// From a remote host over TLS, auto asks for a cleartext password, so
	// a token works.
	_, addr := startServer(t, Config{TLS: cfg}, b, fromRemote)
	checkLogins(t, addr, "sslmode=require", []login{
		{"alice", aliceToken, ""},
		{"alice", "secret", ""},
		{"alice", "bad", pgerr.InvalidPassword},
	})
	c := connect(t, addr, "alice", "secret", "sslmode=require")
	if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("connection is %T, want *tls.Conn", c.PgConn().Conn())
	}
	// pgx sends its CancelRequest over TLS too.
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.PgConn().Exec(ctx, "sleep").ReadAll()
		errc <- err
	}()
	<-b.sleeping
	if err := c.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	wantCode(t, <-errc, pgerr.QueryCanceled)
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kalamdb test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
