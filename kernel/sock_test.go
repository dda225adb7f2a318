package kernel

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/sockabi"
)

func TestWouldBlock(t *testing.T) {
	const nb = unix.O_NONBLOCK
	io, acc := uint32(sockabi.ExactIO), uint32(sockabi.ExactAccept)
	for _, tc := range []struct {
		name          string
		nr, msgFlags  uint64
		fdFlags       uint32
		events, exact uint32
		want          bool
	}{
		{"read, nothing to read", unix.SYS_READ, 0, nb, unix.EPOLLOUT, io, true},
		{"read, data", unix.SYS_READ, 0, nb, unix.EPOLLIN | unix.EPOLLOUT, io, false},
		{"read, blocking descriptor", unix.SYS_READ, 0, 0, unix.EPOLLOUT, io, false},
		{"recvfrom, MSG_DONTWAIT on a blocking descriptor", unix.SYS_RECVFROM, unix.MSG_DONTWAIT, 0, 0, io, true},
		{"recvmsg, peer closed", unix.SYS_RECVMSG, 0, nb, unix.EPOLLRDHUP, io, false},
		{"read, error pending", unix.SYS_READ, 0, nb, unix.EPOLLERR, io, false},
		{"read, hung up", unix.SYS_READ, 0, nb, unix.EPOLLHUP, io, false},
		{"read, events not exact (not connected)", unix.SYS_READ, 0, nb, 0, 0, false},
		{"read on a listener", unix.SYS_READ, 0, nb, 0, acc, false},
		{"write, buffer full", unix.SYS_WRITE, 0, nb, 0, io, true},
		{"sendmsg, room", unix.SYS_SENDMSG, 0, nb, unix.EPOLLOUT, io, false},
		{"accept4, none pending", unix.SYS_ACCEPT4, 0, nb, 0, acc, true},
		{"accept4, pending", unix.SYS_ACCEPT4, 0, nb, unix.EPOLLIN, acc, false},
		{"accept on a connected socket", unix.SYS_ACCEPT, 0, nb, 0, io, false},
		{"getsockopt", unix.SYS_GETSOCKOPT, 0, nb, 0, io | acc, false},
	} {
		if got := wouldBlock(tc.nr, tc.msgFlags, tc.fdFlags, tc.events, tc.exact); got != tc.want {
			t.Errorf("%s: wouldBlock = %v", tc.name, got)
		}
	}
}

// TestServeReplies checks the reply SysServe makes before it waits, and
// SysReply's, which share it: the caller wakes with the result, an
// abandoned request is freed, and an id not being served is EINVAL.
func TestServeReplies(t *testing.T) {
	resetSched(t)
	resetRequests(t)
	caller := int32(firstThread + 3)
	threadHigh = firstThread + 4
	serve := func(id uint64) {
		r := &requests[id&0xff]
		r.state, r.req.ID, r.caller = reqServed, id, caller
		threads[caller].state, threads[caller].waitKey = threadBlocked, replyKeyBase+id&0xff
	}
	for _, call := range []struct {
		name string
		do   func(id, result uint64, e unix.Errno) unix.Errno
	}{
		{"SysServe", func(id, result uint64, e unix.Errno) unix.Errno {
			_, err := sysServe(&cpu.TrapFrame{RDX: id, R10: result, R8: uint64(e)}) // null buffer: no wait
			return err
		}},
		{"SysReply", func(id, result uint64, e unix.Errno) unix.Errno {
			_, err := sysReply(&cpu.TrapFrame{RDI: id, RSI: result, RDX: uint64(e)})
			return err
		}},
	} {
		serve(0x105)
		if e := call.do(0x105, 7, unix.EAGAIN); e != 0 {
			t.Fatalf("%s: %v", call.name, e)
		}
		r := &requests[5]
		if r.state != reqDone || r.result != 7 || r.errno != unix.EAGAIN || threads[caller].state != threadRunnable {
			t.Errorf("%s: request state %d result %d errno %v, caller state %d", call.name, r.state, r.result, r.errno, threads[caller].state)
		}
		if dequeue() != caller {
			t.Errorf("%s: the caller was not made runnable", call.name)
		}
		if e := call.do(0x105, 0, 0); e != unix.EINVAL {
			t.Errorf("%s: a second reply: %v, want EINVAL", call.name, e)
		}
		serve(0x206)
		requests[6].caller = -1 // abandoned
		if e := call.do(0x206, 0, 0); e != 0 || requests[6].state != reqFree {
			t.Errorf("%s: abandoned request: %v, state %d", call.name, e, requests[6].state)
		}
		requests[5].state = reqFree
	}
}

// resetRequests empties the request slots and their queue when t ends.
func resetRequests(t *testing.T) {
	t.Cleanup(func() {
		requests, socketLayer = [maxRequests]request{}, false
		reqQueue = emptyList
	})
}

// queued returns the queue's slots in order, checking that exactly the
// slots in state reqQueued are on it.
func queued(t *testing.T) []int {
	t.Helper()
	var order []int
	on := map[int]bool{}
	last := int32(-1)
	for j := reqQueue.head; j >= 0; last, j = j, reqNext[j] {
		if on[int(j)] || len(order) > maxRequests {
			t.Fatalf("the queue loops: %v then %d", order, j)
		}
		on[int(j)] = true
		order = append(order, int(j))
	}
	if last != reqQueue.tail {
		t.Errorf("queue %v ends at %d, its tail is %d", order, last, reqQueue.tail)
	}
	for i := range requests {
		if (requests[i].state == reqQueued) != on[i] {
			t.Errorf("slot %d: state %d, on the queue %v", i, requests[i].state, on[i])
		}
	}
	return order
}

// TestRequestQueue checks that a server takes the oldest queued request,
// and that requests dropped while queued (abandoned, or interrupted
// before a server took them) leave the queue.
func TestRequestQueue(t *testing.T) {
	resetSched(t)
	resetRequests(t)
	queue := func() int {
		i, ok := queueRequest(sockabi.OpSyscall, nil, -1, 0, -1)
		if !ok {
			t.Fatal("no free slot")
		}
		return i
	}
	a, b, c := queue(), queue(), queue()
	if got := queued(t); len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
		t.Fatalf("queue %v, want %d %d %d", got, a, b, c)
	}
	abandonRequest(b)
	if got := queued(t); len(got) != 2 || got[0] != a || got[1] != c {
		t.Fatalf("after abandoning %d: %v", b, got)
	}
	unqueue(a, reqServed) // as SysServe takes the head
	d := queue()          // b's slot, now free
	if got := queued(t); len(got) != 2 || got[0] != c || got[1] != d || d != b {
		t.Fatalf("after serving %d and queuing %d: %v", a, d, got)
	}
	unqueue(d, reqFree) // the tail, as an interrupted caller drops it
	unqueue(c, reqServed)
	if got := queued(t); len(got) != 0 || reqQueue != emptyList {
		t.Fatalf("queue %v (%+v), want empty", got, reqQueue)
	}
	e := queue()
	if got := queued(t); len(got) != 1 || got[0] != e {
		t.Fatalf("queue %v, want %d alone", got, e)
	}
}
