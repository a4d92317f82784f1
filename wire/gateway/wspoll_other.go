//go:build !linux

package gateway

import "log/slog"

// poller is Linux's epoll elsewhere: without it, idle connections keep
// their serving goroutine, blocked in its read.
type poller struct{}

func newPoller(<-chan struct{}, *slog.Logger) *poller { return &poller{} }
func (*poller) usable(*wsConn) bool                   { return false }
func (*poller) arm(*wsConn) error                     { return nil }
func (*poller) forget(*wsConn)                        {}
