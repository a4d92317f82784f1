package auth

import "sync"

// maxVerifiedTokens bounds the verified-token cache; when full it starts
// over, which costs one verification per token in use.
const maxVerifiedTokens = 4096

// verifiedTokens maps a token that passed verification to its claims.
type verifiedTokens struct {
	mu sync.Mutex // guards m
	m  map[string]Claims
}

func (v *verifiedTokens) get(token string) (Claims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.m[token]
	return c, ok
}

func (v *verifiedTokens) put(token string, c Claims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerifiedTokens {
		v.m = make(map[string]Claims)
	}
	v.m[token] = c
}
