package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// Verified tokens are remembered (auth.JWT), so each request must still
// check expiry and the catalog: an expired token is refused even when the
// same user's fresh token was just accepted, and a dropped user comes back
// on first sight of a valid token, as with a pgwire JWT login.
func TestTokensCheckedOnEveryRequest(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	const user = "user_carol"
	fresh := ts.token(user, auth.RoleUser)
	body := `{"sql":"SELECT current_user","params":[]}`
	for i := 0; i < 2; i++ { // the second is served from the cache
		if status, r := ts.post("/api/v1/query", fresh, body); status != http.StatusOK {
			t.Fatalf("fresh token, request %d: %d %+v", i, status, r)
		}
	}
	now := time.Now()
	expired, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Issuer: auth.Issuer, Subject: user,
		IssuedAt:  jwt.NewNumericDate(now.Add(-2 * time.Hour)),
		ExpiresAt: jwt.NewNumericDate(now.Add(-time.Hour)),
	}).SignedString([]byte("test-secret-test-secret-test-secret!"))
	if err != nil {
		t.Fatal(err)
	}
	if status, r := ts.post("/api/v1/query", expired, body); status != http.StatusUnauthorized || r.Error.Code != "28000" {
		t.Fatalf("expired token: %d %+v, want 401 28000", status, r)
	}

	exec(t, ts.pg("root", auth.RoleSystem), "DROP USER "+user)
	if _, ok := ts.DB().LookupUser(user); ok {
		t.Fatal("user still there after DROP USER")
	}
	if status, r := ts.post("/api/v1/query", fresh, `{"sql":"SELECT current_user"}`); status != http.StatusOK {
		t.Fatalf("after DROP USER: %d %+v", status, r)
	}
	if _, ok := ts.DB().LookupUser(user); !ok {
		t.Fatal("the token's user was not created again on first sight")
	}
}
