package files

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeReady is the readiness of up to 8 descriptions: events set by the
// test, and a sequence it bumps to say they changed.
type fakeReady struct {
	events [8]uint32
	seq    [8]uint64
}

func (r *fakeReady) Ready(f int32) (uint32, uint64) { return r.events[f], r.seq[f] }

// set changes description f's events and gives it a new sequence.
func (r *fakeReady) set(f int32, ev uint32) { r.events[f], r.seq[f] = ev, NextSeq() }

// Addresses in the fake memory: the event for epoll_ctl, then the
// output array.
const (
	ctlAddr = memBase
	outAddr = memBase + 64
)

type epollFixture struct {
	t   *testing.T
	env fakeEnv
	r   *fakeReady
	ep  *Epoll
}

func newEpoll(t *testing.T) *epollFixture {
	ep := new(Epoll)
	ep.Open(1)
	return &epollFixture{t, newEnv(4096), new(fakeReady), ep}
}

// ctl calls epoll_ctl for description file as descriptor file+10.
func (x *epollFixture) ctl(op uint64, file int32, events uint32, data uint64) unix.Errno {
	var b [EventSize]byte
	binary.LittleEndian.PutUint32(b[:], events)
	binary.LittleEndian.PutUint64(b[4:], data)
	x.env.put(ctlAddr, b[:])
	return EpollCtl(x.env, x.ep, op, file, file+10, ctlAddr)
}

type event struct {
	events uint32
	data   uint64
}

// wait calls epoll_wait for up to max events and decodes them.
func (x *epollFixture) wait(max int, timeout int64) ([]event, unix.Errno) {
	n, e := EpollWait(x.env, x.r, x.ep, outAddr, max, timeout)
	out := x.env.get(outAddr, n*EventSize)
	var evs []event
	for i := range n {
		b := out[i*EventSize:]
		evs = append(evs, event{binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint64(b[4:])})
	}
	return evs, e
}

// want checks that a non-blocking wait reports exactly evs.
func (x *epollFixture) want(what string, evs ...event) {
	x.t.Helper()
	got, e := x.wait(len(evs)+1, 0)
	if e != 0 || len(got) != len(evs) {
		x.t.Fatalf("%s: %v, %v; want %v", what, got, e, evs)
	}
	for i := range evs {
		if got[i] != evs[i] {
			x.t.Fatalf("%s: %v; want %v", what, got, evs)
		}
	}
}

const in = unix.EPOLLIN | unix.EPOLLRDNORM

// step is one move of a trigger test: make description 0 ready with set
// (a change: a new sequence) when it is not 0, re-arm the interest with
// mod when it is not 0, then wait without blocking for want.
type step struct {
	what string
	set  uint32
	mod  uint32
	want []event
}

// TestEpollTriggers: level-triggered interest is reported at every wait
// while the file is ready, with only the asked-for events (and ERR and
// HUP, always); EPOLLET reports a readiness once, until it changes or
// EPOLL_CTL_MOD; EPOLLONESHOT reports once and then nothing, however
// readiness changes, until EPOLL_CTL_MOD re-arms it.
func TestEpollTriggers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interest uint32
		steps    []step
	}{
		{"level", unix.EPOLLIN, []step{
			{what: "first wait", set: in | unix.EPOLLOUT, want: []event{{unix.EPOLLIN, 0}}},
			{what: "second wait", want: []event{{unix.EPOLLIN, 0}}},
			{what: "not readable", set: unix.EPOLLOUT},
			{what: "hung up", set: unix.EPOLLOUT | unix.EPOLLHUP, want: []event{{unix.EPOLLHUP, 0}}},
		}},
		{"edge", unix.EPOLLIN | unix.EPOLLET, []step{
			{what: "first wait", set: in, want: []event{{unix.EPOLLIN, 0}}},
			{what: "no change"},
			{what: "new data, still readable", set: in, want: []event{{unix.EPOLLIN, 0}}},
			{what: "no change again"},
			{what: "after mod", mod: unix.EPOLLIN | unix.EPOLLET, want: []event{{unix.EPOLLIN, 1}}},
			{what: "no change after mod"},
		}},
		{"oneshot", unix.EPOLLIN | unix.EPOLLONESHOT, []step{
			{what: "first wait", set: in, want: []event{{unix.EPOLLIN, 0}}},
			{what: "disarmed"},
			{what: "disarmed, even for HUP", set: in | unix.EPOLLHUP},
			{what: "re-armed", mod: unix.EPOLLIN | unix.EPOLLONESHOT, want: []event{{unix.EPOLLIN | unix.EPOLLHUP, 1}}},
			{what: "disarmed again"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newEpoll(t)
			wantErrno(t, "add", x.ctl(unix.EPOLL_CTL_ADD, 0, tc.interest, 0), 0)
			if x.env.notified == 0 {
				t.Error("adding an interest woke no waiter: it may be ready already")
			}
			for _, s := range tc.steps {
				if s.set != 0 {
					x.r.set(0, s.set)
				}
				if s.mod != 0 {
					wantErrno(t, "mod", x.ctl(unix.EPOLL_CTL_MOD, 0, s.mod, 1), 0)
				}
				x.want(s.what, s.want...)
			}
		})
	}
}

// TestEpollCtl: epoll_ctl's errors, removal, and a closed file leaving
// every list.
func TestEpollCtl(t *testing.T) {
	x := newEpoll(t)
	x.r.set(0, in)
	x.r.set(1, in)
	wantErrno(t, "add", x.ctl(unix.EPOLL_CTL_ADD, 0, unix.EPOLLIN, 0), 0)
	wantErrno(t, "add again", x.ctl(unix.EPOLL_CTL_ADD, 0, unix.EPOLLIN, 0), unix.EEXIST)
	wantErrno(t, "mod of a stranger", x.ctl(unix.EPOLL_CTL_MOD, 1, unix.EPOLLIN, 0), unix.ENOENT)
	wantErrno(t, "del of a stranger", x.ctl(unix.EPOLL_CTL_DEL, 1, 0, 0), unix.ENOENT)
	wantErrno(t, "bad op", x.ctl(99, 1, unix.EPOLLIN, 0), unix.EINVAL)
	wantErrno(t, "bad event address", EpollCtl(x.env, x.ep, unix.EPOLL_CTL_ADD, 1, 11, 8), unix.EFAULT)
	wantErrno(t, "add 1", x.ctl(unix.EPOLL_CTL_ADD, 1, unix.EPOLLIN, 1), 0)
	x.want("both, newest first", event{unix.EPOLLIN, 1}, event{unix.EPOLLIN, 0})
	wantErrno(t, "del 0", x.ctl(unix.EPOLL_CTL_DEL, 0, 0, 0), 0)
	x.want("after del", event{unix.EPOLLIN, 1})
	x.ep.Forget(1)
	x.want("after close")
	// An interest in no events but the flags is never reported.
	wantErrno(t, "add flags only", x.ctl(unix.EPOLL_CTL_ADD, 0, unix.EPOLLET|unix.EPOLLONESHOT, 5), 0)
	x.r.set(0, in|unix.EPOLLERR)
	x.want("flags only")
	for f := int32(1); f < MaxInterest; f++ {
		if e := x.ctl(unix.EPOLL_CTL_ADD, f, unix.EPOLLIN, 0); e != 0 {
			t.Fatalf("add %d: %v", f, e)
		}
	}
	wantErrno(t, "add beyond the list", x.ctl(unix.EPOLL_CTL_ADD, MaxInterest, unix.EPOLLIN, 0), unix.ENOSPC)
}

// TestEpollWait: a wait returns at most max events, leaving the rest
// for the next; it sleeps until an event, a timeout or a signal; and an
// event it cannot copy out is not consumed.
func TestEpollWait(t *testing.T) {
	x := newEpoll(t)
	for f := int32(0); f < 3; f++ {
		wantErrno(t, "add", x.ctl(unix.EPOLL_CTL_ADD, f, unix.EPOLLIN|unix.EPOLLET, uint64(f)), 0)
	}
	x.r.set(0, in)
	x.r.set(1, in)
	if evs, e := x.wait(1, 0); len(evs) != 1 || evs[0].data != 0 || e != 0 {
		t.Fatalf("wait for one: %v, %v", evs, e)
	}
	x.want("the other", event{unix.EPOLLIN, 1})
	x.env.waits = append(x.env.waits, func() unix.Errno { x.r.set(2, in); return 0 })
	if evs, e := x.wait(4, -1); len(evs) != 1 || evs[0].data != 2 || e != 0 || x.env.slept != 1 {
		t.Fatalf("blocking wait: %v, %v after %d sleeps", evs, e, x.env.slept)
	}
	if evs, e := x.wait(4, 50); len(evs) != 0 || e != 0 || x.env.now != 50e6 {
		t.Fatalf("wait of 50 ms: %v, %v at %d ns", evs, e, x.env.now)
	}
	if evs, e := x.wait(4, -1); len(evs) != 0 || e != unix.EINTR {
		t.Fatalf("interrupted wait: %v, %v", evs, e)
	}
	x.r.set(0, in)
	if n, e := EpollWait(x.env, x.r, x.ep, 8, 4, 0); n != 0 || e != unix.EFAULT {
		t.Fatalf("wait to a bad address: %d, %v", n, e)
	}
	x.want("the event the fault kept", event{unix.EPOLLIN, 0})
}

// TestEpollNoAlloc: waits and changes run in kernel context.
func TestEpollNoAlloc(t *testing.T) {
	x := newEpoll(t)
	x.r.set(0, in)
	x.ctl(unix.EPOLL_CTL_ADD, 0, unix.EPOLLIN, 0)
	allocs := testing.AllocsPerRun(100, func() {
		EpollCtl(x.env, x.ep, unix.EPOLL_CTL_MOD, 0, 10, ctlAddr)
		EpollWait(x.env, x.r, x.ep, outAddr, 4, 0)
	})
	if allocs != 0 {
		t.Errorf("%v allocations a round", allocs)
	}
}

// TestEpollOrder: a wait reports the descriptors that have been ready
// longest, newest first (so the Go netpoller, which stacks them, runs
// the oldest first), whatever their order in the interest list.
func TestEpollOrder(t *testing.T) {
	x := newEpoll(t)
	for f := int32(0); f < 3; f++ {
		wantErrno(t, "add", x.ctl(unix.EPOLL_CTL_ADD, f, unix.EPOLLIN, uint64(f)), 0)
	}
	x.r.set(2, in)
	x.r.set(0, in)
	x.r.set(1, in)
	x.want("all three", event{unix.EPOLLIN, 1}, event{unix.EPOLLIN, 0}, event{unix.EPOLLIN, 2})
	got, e := x.wait(2, 0)
	if e != 0 || len(got) != 2 || got[0].data != 0 || got[1].data != 2 {
		t.Fatalf("room for two: %v, %v; want the two oldest, 0 then 2", got, e)
	}
	x.r.set(2, in) // ready again: now the newest
	got, e = x.wait(2, 0)
	if e != 0 || len(got) != 2 || got[0].data != 1 || got[1].data != 0 {
		t.Fatalf("after 2 is ready again: %v, %v; want 1 then 0", got, e)
	}
}
