package types

import (
	"math"
	"testing"
)

func TestAppendFloatText(t *testing.T) {
	cases := []struct {
		oid   OID
		f     float64
		extra int
		want  string
	}{
		{Float8, 1.0 / 3, 1, "0.3333333333333333"},
		{Float8, 1.0 / 3, 0, "0.333333333333333"},
		{Float8, 1.0 / 3, -3, "0.333333333333"},
		{Float8, 1e6, 0, "1000000"},
		{Float8, 1e15, 0, "1e+15"},
		{Float4, 0.1, 0, "0.1"},
		{Float4, 1.0 / 3, 0, "0.333333"},
		{Float8, math.Inf(-1), 0, "-Infinity"},
	}
	for _, c := range cases {
		if got := string(AppendFloatText(nil, c.oid, c.f, c.extra)); got != c.want {
			t.Errorf("AppendFloatText(%v, %v, %d) = %q, want %q", c.oid, c.f, c.extra, got, c.want)
		}
	}
}
