package pgerr

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestCode(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{New(UndefinedTable, "relation %q does not exist", "t"), UndefinedTable},
		{fmt.Errorf("bind: %w", New(SyntaxError, "x")), SyntaxError},
		{Wrap(errors.New("disk"), InternalError, "write"), InternalError},
		{fmt.Errorf("scan: %w", context.Canceled), QueryCanceled},
		{errors.New("plain"), InternalError},
	}
	for _, c := range cases {
		if got := Code(c.err); got != c.want {
			t.Errorf("Code(%v) = %s, want %s", c.err, got, c.want)
		}
	}
	cause := errors.New("cause")
	if e := Wrap(cause, DivisionByZero, "division by zero"); !errors.Is(e, cause) || e.Error() != "division by zero" {
		t.Errorf("Wrap: %v", e)
	}
}
