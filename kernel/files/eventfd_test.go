package files

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// eventfdIO reads (write false) or writes v through the fake memory.
func eventfdIO(env fakeEnv, e *Eventfd, write bool, v uint64, nonblock bool) (uint64, unix.Errno) {
	if write {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		env.put(memBase, b[:])
		_, err := EventfdWrite(env, e, memBase, 8, nonblock)
		return 0, err
	}
	n, err := EventfdRead(env, e, memBase, 8, nonblock)
	if n != 8 {
		return 0, err
	}
	return binary.LittleEndian.Uint64(env.get(memBase, 8)), err
}

// TestEventfd: reads take the whole count, or 1 in semaphore mode, and
// wait while it is zero; writes add, and wait while the sum would pass
// the maximum, as eventfd(2) says.
func TestEventfd(t *testing.T) {
	env := newEnv(64)
	var e Eventfd
	e.Open(1, 3, false)
	if ev, _ := e.Poll(); ev != unix.EPOLLIN|unix.EPOLLRDNORM|unix.EPOLLOUT|unix.EPOLLWRNORM {
		t.Errorf("polls %#x", ev)
	}
	eventfdIO(env, &e, true, 4, false)
	if v, err := eventfdIO(env, &e, false, 0, false); v != 7 || err != 0 {
		t.Fatalf("read %d, %v; want 7", v, err)
	}
	if _, err := eventfdIO(env, &e, false, 0, true); err != unix.EAGAIN {
		t.Fatalf("non-blocking read of zero: %v", err)
	}
	if _, err := EventfdRead(env, &e, memBase, 7, false); err != unix.EINVAL {
		t.Fatalf("read of 7 bytes: %v", err)
	}
	if _, err := eventfdIO(env, &e, true, 1<<64-1, false); err != unix.EINVAL {
		t.Fatalf("write of 2^64-1: %v", err)
	}
	env.waits = append(env.waits, func() unix.Errno { eventfdIO(newEnv(64), &e, true, 5, false); return 0 })
	if v, err := eventfdIO(env, &e, false, 0, false); v != 5 || err != 0 || env.slept != 1 {
		t.Fatalf("blocking read: %d, %v after %d sleeps", v, err, env.slept)
	}

	eventfdIO(env, &e, true, EventfdMax, false)
	if ev, _ := e.Poll(); ev&unix.EPOLLOUT != 0 {
		t.Errorf("a full eventfd polls %#x, with EPOLLOUT", ev)
	}
	if _, err := eventfdIO(env, &e, true, 1, true); err != unix.EAGAIN {
		t.Fatalf("non-blocking write past the maximum: %v", err)
	}
	if _, err := eventfdIO(env, &e, true, 1, false); err != unix.EINTR {
		t.Fatalf("interrupted write past the maximum: %v", err)
	}

	var s Eventfd
	s.Open(1, 2, true)
	for range 2 {
		if v, err := eventfdIO(env, &s, false, 0, true); v != 1 || err != 0 {
			t.Fatalf("semaphore read: %d, %v", v, err)
		}
	}
	if _, err := eventfdIO(env, &s, false, 0, true); err != unix.EAGAIN {
		t.Fatalf("semaphore read of zero: %v", err)
	}
}

// TestEventfdNoAlloc: eventfd reads and writes run in kernel context.
func TestEventfdNoAlloc(t *testing.T) {
	env := newEnv(64)
	var e Eventfd
	e.Open(1, 0, false)
	allocs := testing.AllocsPerRun(100, func() {
		EventfdWrite(env, &e, memBase, 8, true)
		EventfdRead(env, &e, memBase, 8, true)
	})
	if allocs != 0 {
		t.Errorf("%v allocations a round", allocs)
	}
}
