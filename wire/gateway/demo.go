package gateway

import (
	_ "embed"
	"net/http"
)

// demoPage is the demo at / (Config.Demo): it takes a token, subscribes
// over /ws and shows changes as they arrive.
//
//go:embed demo/index.html
var demoPage []byte

func (g *Gateway) handleRoot(w http.ResponseWriter, r *http.Request) {
	if g.demo && r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
		_, _ = w.Write(demoPage)
		return
	}
	g.metrics.countError(errNotFound.Code)
	buf := append([]byte(`{"status":"error","error":`), appendErrorJSON(nil, errNotFound)...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(append(buf, "}\n"...))
}
