//go:build !linux

package wire

import (
	"errors"
	"syscall"
	"time"
)

const pollSupported = false

func pollReadable(syscall.RawConn, time.Duration) (bool, error) {
	return false, errors.New("poll wait not supported on this platform")
}
