package files

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// Epoll instances. A change of readiness anywhere wakes every waiter
// (Env.Notify; there is typically one, the Go runtime's netpoller), which
// then rescans its interest list.
//
// The order of the events a wait returns matters to a server under load.
// Every readiness edge takes a number from one kernel-wide sequence
// (NextSeq), so a wait can tell which of its ready descriptors has waited
// longest. It reports the ones that have waited longest, as Linux's ready
// list does, and lists them newest first: the Go netpoller pushes each
// event's goroutine onto a stack, so the one that waited longest runs
// first. Scanning the interest list in its own order instead ran the
// newest connections first at every wait: under wrk -c32 the last
// connection got twice the requests of the first, whose latency was
// twice as long.

// readySeq is the last readiness sequence number handed out.
var readySeq atomic.Uint64

// NextSeq returns a readiness sequence number larger than every one
// before it: a description takes one at each edge of its readiness.
//
// Context: kernel (no allocation, no pointer stores).
func NextSeq() uint64 { return readySeq.Add(1) }

const (
	// MaxInterest is the most descriptors one instance watches.
	MaxInterest = 1024
	// EventSize is sizeof(struct epoll_event) on x86-64: packed.
	EventSize = 12
)

// Readiness is what the kernel reports of its open file descriptions.
type Readiness interface {
	// Ready returns the EPOLL* events ready on description f and the
	// NextSeq number of their last edge, which changes whenever they may
	// have (for EPOLLET).
	Ready(f int32) (events uint32, seq uint64)
}

// Epoll is one epoll instance: its interest list.
type Epoll struct {
	Used  bool
	Owner int32 // process slot that created it (kernel/limits.go)
	n     int   // items in use at the front, in any order
	items [MaxInterest]interest
	ready [MaxInterest]readyItem // collect's scratch
}

// readyItem is an item found ready: its index, events and sequence.
type readyItem struct {
	seq    uint64
	idx    int32
	events uint32
}

type interest struct {
	file   int32 // open file description
	fd     int32
	events uint32
	data   uint64
	seen   uint64 // readiness sequence last reported, for EPOLLET
}

// notSeen is no readiness sequence: the next readiness is reported.
const notSeen = ^uint64(0)

// Open makes ep a new instance with an empty interest list.
//
// Context: kernel (no allocation, no pointer stores).
func (ep *Epoll) Open(owner int32) { ep.Used, ep.Owner, ep.n = true, owner, 0 }

// EpollCtl adds, modifies or removes (op) interest in descriptor fd,
// which names description file, reading the struct epoll_event at evp
// for all but EPOLL_CTL_DEL.
//
// Context: kernel (no allocation, no pointer stores).
func EpollCtl[E Env](env E, ep *Epoll, op uint64, file, fd int32, evp uint64) unix.Errno {
	idx := -1
	for i := 0; i < ep.n; i++ {
		if ep.items[i].file == file && ep.items[i].fd == fd {
			idx = i
			break
		}
	}
	var events uint32
	var data uint64
	if op != unix.EPOLL_CTL_DEL {
		var b [EventSize]byte
		if _, e := usercopy.In(env, b[:], evp); e != 0 {
			return e
		}
		events = binary.LittleEndian.Uint32(b[:])
		data = binary.LittleEndian.Uint64(b[4:])
	}
	switch op {
	case unix.EPOLL_CTL_ADD:
		if idx >= 0 {
			return unix.EEXIST
		}
		if ep.n == MaxInterest {
			return unix.ENOSPC
		}
		ep.items[ep.n] = interest{file: file, fd: fd, events: events, data: data, seen: notSeen}
		ep.n++
	case unix.EPOLL_CTL_MOD:
		if idx < 0 {
			return unix.ENOENT
		}
		it := &ep.items[idx]
		it.events, it.data, it.seen = events, data, notSeen
	case unix.EPOLL_CTL_DEL:
		if idx < 0 {
			return unix.ENOENT
		}
		ep.n--
		ep.items[idx] = ep.items[ep.n]
	default:
		return unix.EINVAL
	}
	env.Notify() // a new interest may already be ready
	return 0
}

// Forget removes description file from the interest list, as closing
// its last descriptor does on Linux.
//
// Context: kernel (no allocation, no pointer stores).
func (ep *Epoll) Forget(file int32) {
	for j := 0; j < ep.n; {
		if ep.items[j].file == file {
			ep.n--
			ep.items[j] = ep.items[ep.n]
			continue
		}
		j++
	}
}

// EpollWait waits until events are ready or timeout (ms; negative for
// none) passes, and writes up to max of them to out.
//
// Context: kernel (no allocation, no pointer stores).
func EpollWait[E Env, R Readiness](env E, r R, ep *Epoll, out uint64, max int, timeout int64) (int, unix.Errno) {
	var deadline int64
	if timeout > 0 {
		deadline = env.Now() + timeout*1e6
	}
	for {
		if n, e := collect(env, r, ep, out, max); n > 0 || e != 0 || timeout == 0 {
			if n > 0 {
				return n, 0
			}
			return 0, e
		}
		switch env.Wait(deadline) {
		case unix.ETIMEDOUT:
			return 0, 0
		case unix.EINTR:
			return 0, unix.EINTR
		}
	}
}

// collect writes up to max ready events to out, the longest-waiting ones,
// newest first, each copied into the caller's memory as it is at that
// moment. An event that cannot be copied ends the collection and leaves
// its item's state as it was.
//
// Context: kernel (no allocation, no pointer stores).
func collect[E Env, R Readiness](env E, r R, ep *Epoll, out uint64, max int) (int, unix.Errno) {
	found := ep.ready[:0]
	for i := 0; i < ep.n; i++ {
		it := &ep.items[i]
		ready, seq := r.Ready(it.file)
		ready &= it.events | unix.EPOLLERR | unix.EPOLLHUP
		if ready == 0 || it.events&^(unix.EPOLLET|unix.EPOLLONESHOT|unix.EPOLLEXCLUSIVE|unix.EPOLLWAKEUP) == 0 {
			continue
		}
		if it.events&unix.EPOLLET != 0 && it.seen == seq {
			continue
		}
		found = append(found, readyItem{seq, int32(i), ready})
	}
	slices.SortFunc(found, func(a, b readyItem) int { return cmp.Compare(a.seq, b.seq) })
	found = found[:min(len(found), max)]
	for n := range found {
		f := found[len(found)-1-n] // newest first
		it := &ep.items[f.idx]
		var b [EventSize]byte
		binary.LittleEndian.PutUint32(b[:], f.events)
		binary.LittleEndian.PutUint64(b[4:], it.data)
		if _, e := usercopy.Out(env, out+uint64(n)*EventSize, b[:]); e != 0 {
			return n, e
		}
		if it.events&unix.EPOLLET != 0 {
			it.seen = f.seq
		}
		if it.events&unix.EPOLLONESHOT != 0 {
			it.events &= unix.EPOLLET | unix.EPOLLONESHOT // disarmed until EPOLL_CTL_MOD
		}
	}
	return len(found), 0
}
