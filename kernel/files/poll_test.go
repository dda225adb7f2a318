package files

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// mixed is the readiness of descriptions of several kinds: 0 and 1 the
// ends of a real pipe, 2 a regular file (always ready, as on Linux), 3
// an event source whose events the test sets.
type mixed struct {
	pipe   Pipe
	source uint32
}

func (m *mixed) Ready(f int32) (uint32, uint64) {
	switch f {
	case 0, 1:
		return m.pipe.Poll(f == 0)
	case 2:
		return unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDNORM | unix.EPOLLWRNORM, 0
	}
	return m.source, 0
}

type pollfd struct {
	fd             int32
	events, revent uint16
}

const pollAddr = memBase + 1024

// poll writes fds to the fake memory, polls them and returns them with
// their revents.
func poll(env fakeEnv, m *mixed, tab *Table, fds []pollfd, deadline int64) ([]pollfd, uint64, unix.Errno) {
	for i, p := range fds {
		var b [PollFDSize]byte
		binary.LittleEndian.PutUint32(b[:], uint32(p.fd))
		binary.LittleEndian.PutUint16(b[4:], p.events)
		binary.LittleEndian.PutUint16(b[6:], 0xffff) // to be overwritten
		env.put(pollAddr+uint64(i)*PollFDSize, b[:])
	}
	n, e := Poll(env, m, tab, pollAddr, uint64(len(fds)), deadline)
	out := make([]pollfd, len(fds))
	for i := range fds {
		b := env.get(pollAddr+uint64(i)*PollFDSize, PollFDSize)
		out[i] = pollfd{int32(binary.LittleEndian.Uint32(b)), binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:])}
	}
	return out, n, e
}

// TestPollMixed: poll over a pipe's ends, a regular file, an event
// source, a closed descriptor and a negative one reports each entry's
// asked-for events (ERR and HUP always, POLLNVAL for the closed one,
// nothing for the negative one), and sleeps while none is ready.
func TestPollMixed(t *testing.T) {
	env := newEnv(4096)
	var d fakeDescs
	m := new(mixed)
	OpenPipe(testPages, &m.pipe, 1)
	tab := newTable()
	for f := int32(0); f < 4; f++ {
		d.open(t, tab, f, 0, 64, false) // fd f names description f
	}
	fds := []pollfd{
		{fd: 0, events: unix.POLLIN},  // pipe, empty
		{fd: 1, events: unix.POLLOUT}, // pipe's write end, room
		{fd: 2, events: unix.POLLIN},  // file
		{fd: 3, events: unix.POLLIN},  // event source, quiet
		{fd: 9, events: unix.POLLIN},  // closed
		{fd: -1, events: unix.POLLIN}, // ignored
	}
	got, n, e := poll(env, m, tab, fds, -1)
	wantRevents := []uint16{0, unix.POLLOUT, unix.POLLIN, 0, unix.POLLNVAL, 0}
	if n != 3 || e != 0 {
		t.Fatalf("poll: %d ready, %v; want 3", n, e)
	}
	for i := range got {
		if got[i].revent != wantRevents[i] {
			t.Errorf("entry %d (fd %d): revents %#x, want %#x", i, got[i].fd, got[i].revent, wantRevents[i])
		}
	}

	// Only the pipe's read end and the event source: none is ready, so
	// poll sleeps until the event source fires.
	quiet := []pollfd{{fd: 0, events: unix.POLLIN}, {fd: 3, events: unix.POLLIN | unix.POLLPRI}}
	env.waits = append(env.waits, func() unix.Errno { m.source = unix.EPOLLIN | unix.EPOLLPRI | unix.EPOLLOUT; return 0 })
	got, n, e = poll(env, m, tab, quiet, -1)
	if n != 1 || e != 0 || got[0].revent != 0 || got[1].revent != unix.POLLIN|unix.POLLPRI || env.slept != 1 {
		t.Fatalf("poll until the source fires: %d, %v, %+v after %d sleeps", n, e, got, env.slept)
	}
	m.source = 0

	// The writer closes: the reader sees POLLHUP though it asked only
	// for POLLIN.
	ClosePipe(testPages, &m.pipe, false)
	got, n, e = poll(env, m, tab, quiet, -1)
	if n != 1 || e != 0 || got[0].revent != unix.POLLHUP {
		t.Fatalf("poll after the writer's close: %d, %v, %+v", n, e, got)
	}

	// Nothing ready: a deadline ends the wait with 0, a signal with EINTR.
	_, n, e = poll(env, m, tab, quiet[1:], 20)
	if n != 0 || e != 0 || env.now < 20 {
		t.Fatalf("poll with a deadline: %d, %v at %d", n, e, env.now)
	}
	_, n, e = poll(env, m, tab, quiet[1:], -1)
	if n != 0 || e != unix.EINTR {
		t.Fatalf("poll interrupted: %d, %v", n, e)
	}
	if _, e := Poll(env, m, tab, 8, 1, 0); e != unix.EFAULT {
		t.Fatalf("poll of a bad array: %v, want EFAULT", e)
	}
}

// TestPollNoAlloc: poll runs in kernel context.
func TestPollNoAlloc(t *testing.T) {
	env := newEnv(4096)
	m := new(mixed)
	OpenPipe(testPages, &m.pipe, 1)
	tab := newTable()
	var d fakeDescs
	d.open(t, tab, 1, 0, 64, false)
	poll(env, m, tab, []pollfd{{fd: 0, events: unix.POLLOUT}}, 0)
	allocs := testing.AllocsPerRun(100, func() {
		Poll(env, m, tab, pollAddr, 1, 0)
	})
	if allocs != 0 {
		t.Errorf("%v allocations a poll", allocs)
	}
}
