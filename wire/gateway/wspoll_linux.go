//go:build linux

package gateway

import (
	"log/slog"
	"sync"
	"syscall"
	"time"
)

// poller watches the sockets of parked WebSocket connections with one
// epoll instance and one goroutine: each parked socket is armed for a
// single readiness event (EPOLLONESHOT), which wakes its connection.
type poller struct {
	stop <-chan struct{}
	log  *slog.Logger

	once sync.Once
	epfd int
	err  error

	mu    sync.Mutex
	conns map[int32]*wsConn // by socket descriptor, while armed or parked
}

func newPoller(stop <-chan struct{}, log *slog.Logger) *poller {
	return &poller{stop: stop, log: log, epfd: -1}
}

// usable reports whether c can park: it needs a plain TCP socket (a TLS
// connection may hold decrypted input the socket no longer shows).
func (p *poller) usable(c *wsConn) bool {
	if c.raw == nil {
		c.raw = rawConn(c.nc)
		if c.raw == nil {
			return false
		}
	}
	p.once.Do(func() {
		p.epfd, p.err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if p.err != nil {
			p.log.Warn("websocket poller unavailable: idle connections keep a goroutine", "err", p.err)
			return
		}
		p.conns = make(map[int32]*wsConn)
		go p.run()
	})
	return p.err == nil
}

// arm registers c's socket for its next readiness event.
func (p *poller) arm(c *wsConn) error {
	var opErr error
	err := c.raw.Control(func(fd uintptr) {
		p.mu.Lock()
		p.conns[int32(fd)] = c
		p.mu.Unlock()
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: int32(fd)}
		op := syscall.EPOLL_CTL_MOD
		if !c.armed {
			op = syscall.EPOLL_CTL_ADD
		}
		if opErr = syscall.EpollCtl(p.epfd, op, int(fd), &ev); opErr == nil {
			c.armed = true
		}
	})
	if err != nil {
		return err
	}
	return opErr
}

// forget unregisters c's socket; c is ending and owned by its caller.
// Control holds the descriptor open meanwhile, so its number cannot be
// another connection's yet.
func (p *poller) forget(c *wsConn) {
	if c.raw == nil || p.conns == nil {
		return
	}
	_ = c.raw.Control(func(fd uintptr) {
		if c.armed {
			_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
			c.armed = false
		}
		p.mu.Lock()
		if p.conns[int32(fd)] == c {
			delete(p.conns, int32(fd))
		}
		p.mu.Unlock()
	})
}

// run wakes the connections whose sockets became readable, until the
// gateway closes.
func (p *poller) run() {
	events := make([]syscall.EpollEvent, 256)
	for {
		select {
		case <-p.stop:
			syscall.Close(p.epfd)
			return
		default:
		}
		// A timeout, so that a closing gateway stops the poller.
		n, err := syscall.EpollWait(p.epfd, events, 500)
		if err != nil {
			if err != syscall.EINTR {
				p.log.Error("websocket poller", "err", err)
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		for _, ev := range events[:n] {
			p.mu.Lock()
			c := p.conns[ev.Fd]
			p.mu.Unlock()
			if c != nil {
				c.wake()
			}
		}
	}
}
