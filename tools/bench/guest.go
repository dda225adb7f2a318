package bench

import (
	"context"
	"sync"
	"time"

	"warren.dev/qemu"
)

// The guest's network on the namespace's tap device.
const (
	guestV4   = qemu.TapGuestV4
	guestIP   = "10.0.3.2"
	gatewayV4 = "10.0.3.1"
)

// guest is a machine running in the background, its NIC on the tap
// device of the benchmark's namespace.
type guest struct {
	start   time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	console *tail
	err     error // why QEMU stopped, once done is closed
}

// startGuest boots m with the benchmark's vCPUs and a NIC of the given
// model, with the benchmark's queue pairs, on the tap device, QEMU
// running inside the namespace.
func (r *runner) startGuest(ctx context.Context, m qemu.Machine, nic string) *guest {
	ctx, cancel := context.WithCancel(ctx)
	g := &guest{cancel: cancel, done: make(chan struct{}), console: &tail{max: 64 << 10}}
	m.QEMU = r.wrapper
	if m.CPUs == 0 {
		m.CPUs = r.cfg.cpus()
	}
	m.Stdout = g.console
	m.ExtraArgs = append(qemu.MultiQueueTapArgs(nic, r.cfg.Queues), m.ExtraArgs...)
	g.start = time.Now()
	go func() {
		_, g.err = m.Run(ctx)
		close(g.done)
	}()
	return g
}

// stop kills the machine and waits for QEMU to go.
func (g *guest) stop() {
	g.cancel()
	<-g.done
}

// tail keeps the last max bytes of the console.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf[max(0, len(t.buf)-t.max):])
}
