//go:build !linux

package sockpoll

import (
	"errors"
	"syscall"
	"time"
)

// Supported reports whether Readable works on this platform.
const Supported = false

// Readable is Linux-only; callers check Supported.
func Readable(syscall.RawConn, time.Duration) (bool, error) {
	return false, errors.New("poll wait not supported on this platform")
}
