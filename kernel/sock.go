package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/kernel/sockabi"
	"warren.dev/mm/usercopy"
)

// Sockets are served by the socket layer (warren.dev/sockets), which runs
// as goroutines of the program over the network stack. The kernel keeps
// what must be atomic with the rest of the descriptor table (descriptors,
// their flags, readiness for epoll and poll) and forwards the calls: the
// caller sleeps while its request waits in a queue for a server thread
// blocked in SysServe, and wakes when the socket layer replies.

const maxRequests = 256

type reqState uint8

const (
	reqFree reqState = iota
	reqQueued
	reqServed
	reqDone
)

type request struct {
	state  reqState
	req    sockabi.Request
	caller int32 // thread index, -1 when nobody waits
	result uint64
	errno  unix.Errno
}

var (
	requests    [maxRequests]request
	nextReqID   uint64 = 1
	socketLayer bool   // a server announced itself: socket calls are served

	// The queued requests, oldest first, linked through reqNext, so
	// that a server finds the oldest without reading every slot.
	// (Scanning all 256, 96 KiB over 24 pages, was 3.8 % of a ring-3
	// service's samples: after a process's CR3 write each page is a
	// TLB miss.) Invariant: a request is on the list exactly while its
	// state is reqQueued.
	reqQueue = emptyList
	reqNext  [maxRequests]int32
)

// unqueue takes queued request i off the list and gives it state s.
//
// Context: kernel (no allocation, no pointer stores).
func unqueue(i int, s reqState) {
	reqQueue.remove(reqNext[:], int32(i))
	requests[i].state = s
}

// Wait keys of the request queue (bit 63: kernel keys).
const (
	serveKey     = 1<<63 | 0x200
	replyKeyBase = 1<<63 | 0x10000
)

// forward queues a call for the socket layer and waits for its reply.
//
// Context: kernel (no allocation, no pointer stores).
func forward(f *cpu.TrapFrame, op sockabi.Op, sock int32, flags uint32) (uint64, unix.Errno) {
	if !socketLayer {
		return 0, unix.ENOSYS
	}
	i, ok := queueRequest(op, f, sock, flags, cur)
	if !ok {
		return 0, unix.EAGAIN
	}
	kstats.Forwarded++
	if curProc() != 0 {
		kstats.ProcForwarded++
	}
	r := &requests[i]
	t := &threads[cur]
	interrupted := false
	for r.state != reqDone {
		if t.killed { // the process is ending: nobody will read the reply
			abandonRequest(i)
			return 0, unix.EINTR
		}
		if !interrupted && t.signalPending() {
			if r.state == reqQueued { // not started: nothing to undo
				unqueue(i, reqFree)
				return 0, errRestart
			}
			// Served: the socket layer may be sleeping for us. Ask it to
			// stop; its reply says whether the call got anywhere.
			interrupted = interruptRequest(r.req.ID)
		}
		// Once the interrupt is sent, a pending signal must not end the
		// sleep: the reply is still owed.
		sleepOn(replyKeyBase+uint64(i), 0, !interrupted && !t.signalPending())
	}
	res, e := r.result, r.errno
	r.state = reqFree
	return res, e
}

// interruptRequest queues OpInterrupt for the served request id; false if
// the queue is full.
//
// Context: kernel (no allocation, no pointer stores).
func interruptRequest(id uint64) bool {
	j, ok := queueRequest(sockabi.OpInterrupt, nil, -1, 0, -1)
	if ok {
		requests[j].req.Args[0] = id
	}
	return ok
}

// abandonRequest gives up request i: a queued one is dropped, a served
// one is freed when its reply comes, and its copies and installs fail.
//
// Context: kernel (no allocation, no pointer stores).
func abandonRequest(i int) {
	r := &requests[i]
	r.caller = -1
	if r.state == reqQueued {
		unqueue(i, reqFree)
	}
}

// requestCaller returns the process of the thread waiting for request id,
// which must be in the socket layer's hands.
//
// Context: kernel (no allocation, no pointer stores).
func requestCaller(id uint64) (int32, unix.Errno) {
	if id == sockabi.DirectID {
		// The program serving its own call: only the program may ask.
		if curProc() != 0 {
			return 0, unix.EINVAL
		}
		return 0, 0
	}
	r := &requests[id&0xff]
	if r.state != reqServed || r.req.ID != id || r.caller < 0 {
		return 0, unix.EINVAL
	}
	return threads[r.caller].proc, 0
}

// queueRequest fills a free request slot and wakes a server.
func queueRequest(op sockabi.Op, f *cpu.TrapFrame, sock int32, flags uint32, caller int32) (int, bool) {
	for i := range requests {
		r := &requests[i]
		if r.state != reqFree {
			continue
		}
		r.caller = caller
		r.req = sockabi.Request{ID: nextReqID<<8 | uint64(i), Op: op, Sock: sock, Flags: flags, Pair: -1}
		nextReqID++
		if f != nil {
			r.req.Nr = f.RAX
			r.req.Args = [6]uint64{f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9}
			if addr, n, ok := sockabi.InlineBuf(r.req.Nr, &r.req.Args); ok && copyIn(r.req.Inline[:n], addr) == 0 {
				r.req.InlineLen = uint32(n)
			}
			r.req.TID = threads[cur].tid
			r.req.PID = procs[curProc()].pid
		}
		if m, ok := socketMeta(sock); ok {
			r.req.Domain, r.req.Type, r.req.Protocol, r.req.Pair = m.domain, m.typ, m.proto, m.pair
		}
		r.state = reqQueued
		reqQueue.push(reqNext[:], int32(i))
		if caller >= 0 {
			handOff(serveKey) // the caller sleeps until the server replies
		} else {
			wakeup(serveKey, 1)
		}
		return i, true
	}
	return 0, false
}

// sysServe first completes request RDX, if not 0, with result R10 and
// errno R8 as sysReply does, so that a server answering a call and
// taking the next makes one trap, not two. It then hands the oldest
// queued request to the server thread, waiting for one if none is
// queued. With a null buffer it only announces the socket layer.
//
// Context: kernel (no allocation, no pointer stores).
func sysServe(f *cpu.TrapFrame) (uint64, unix.Errno) {
	socketLayer = true
	if f.RDX != 0 {
		if e := completeRequest(f.RDX, f.R10, unix.Errno(f.R8)); e != 0 {
			return 0, e
		}
	}
	if f.RDI == 0 {
		return 0, 0
	}
	if f.RSI != sockabi.RequestSize {
		return 0, unix.EINVAL
	}
	if e := probeUser(f.RDI, sockabi.RequestSize, true); e != 0 {
		return 0, e
	}
	for {
		if i := int(reqQueue.head); i >= 0 {
			r := &requests[i]
			// Copied after any sleep; a buffer gone meanwhile leaves the
			// request queued for another server thread.
			if e := copyOut(f.RDI, requestBytes(&r.req)); e != 0 {
				return 0, e
			}
			if r.req.Op == sockabi.OpInterrupt {
				unqueue(i, reqFree) // no reply comes
			} else {
				unqueue(i, reqServed)
			}
			return 0, 0
		}
		if sleepOn(serveKey, 0, true) == wokenSignal {
			return 0, unix.EINTR
		}
	}
}

// sysReply completes a served request.
//
// Context: kernel (no allocation, no pointer stores).
func sysReply(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, completeRequest(f.RDI, f.RSI, unix.Errno(f.RDX))
}

// completeRequest ends served request id with result and errno e and
// wakes its caller; EINVAL if id is not being served.
//
// Context: kernel (no allocation, no pointer stores).
func completeRequest(id, result uint64, e unix.Errno) unix.Errno {
	i := int(id & 0xff)
	r := &requests[i]
	if r.state != reqServed || r.req.ID != id {
		return unix.EINVAL
	}
	if r.caller < 0 { // abandoned: its caller is gone
		r.state = reqFree
		return 0
	}
	r.result, r.errno, r.state = result, e, reqDone
	handOff(replyKeyBase + uint64(i))
	return 0
}

// sysSockInstall makes a socket the socket layer created (an accepted
// connection) and its descriptor, in the table of request R8's caller.
//
// Context: kernel (no allocation, no pointer stores).
func sysSockInstall(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := requestCaller(f.R8)
	if e != 0 {
		return 0, e
	}
	flags := uint32(f.RDI)
	fd, sock, e := newSocket(p, int32(f.RSI), int32(f.RDX), int32(f.R10), flags)
	if e != 0 {
		return 0, e
	}
	return uint64(fd) | uint64(sock)<<32, 0
}

// sysSockLookup describes the program's socket descriptor RDI at RSI
// (sockabi.SockInfo), for a call it serves itself.
//
// Context: kernel (no allocation, no pointer stores).
func sysSockLookup(f *cpu.TrapFrame) (uint64, unix.Errno) {
	info := sockabi.SockInfo{Sock: -1, Pair: -1, PID: procs[curProc()].pid, Gen: fds().Gen().Load()}
	of, e := lookupFD(f.RDI)
	if e == 0 && of.kind != kindSocket {
		e = unix.ENOTSOCK
	}
	if e == 0 {
		info.Sock, info.Flags = of.obj, of.flags
		if m, ok := socketMeta(of.obj); ok {
			info.Domain, info.Type, info.Protocol, info.Pair = m.domain, m.typ, m.proto, m.pair
		}
	}
	if ce := copyOut(f.RSI, sockInfoBytes(&info)); ce != 0 {
		return 0, ce
	}
	return 0, e
}

// sysSockLookupGen returns the address of the program's descriptor-table
// generation (sockabi.SysLookupGen). The program runs in the kernel's
// address space and may read the word; processes may not ask.
//
// Context: kernel (no allocation, no pointer stores).
func sysSockLookupGen(*cpu.TrapFrame) (uint64, unix.Errno) {
	if curProc() != 0 {
		return 0, unix.EPERM
	}
	return lookupGenAddr(), 0
}

// sysSockReady records a socket's readiness.
//
// Context: kernel (no allocation, no pointer stores).
func sysSockReady(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, ok := socketFile(int32(f.RDI))
	if !ok {
		return 0, unix.EBADF
	}
	ev := uint32(f.RSI)
	old := of.events
	of.events, of.exact = ev&^sockabi.ExactMask, ev&sockabi.ExactMask
	if of.events&^old != 0 || of.events == old {
		of.seq = files.NextSeq() // an edge: events came, or came again
	}
	pollNotify()
	return 0, 0
}

// wouldBlock reports whether socket call nr, with message flags msgFlags
// (msgFlagsArg: 0 for calls that take none), on a descriptor with status
// flags fdFlags would only return EAGAIN, by the readiness the socket
// layer last reported: then the kernel answers it without forwarding. A report that has lost an event is always
// followed by one that brings it back, so a caller told EAGAIN here is
// woken by its poller when the event comes.
//
// Context: kernel (no allocation, no pointer stores).
func wouldBlock(nr uint64, msgFlags uint64, fdFlags, events, exact uint32) bool {
	var need, mode uint32
	switch nr {
	case unix.SYS_READ, unix.SYS_READV, unix.SYS_RECVFROM, unix.SYS_RECVMSG:
		need, mode = unix.EPOLLIN, sockabi.ExactIO
	case unix.SYS_WRITE, unix.SYS_WRITEV, unix.SYS_SENDTO, unix.SYS_SENDMSG, unix.SYS_SENDFILE:
		need, mode = unix.EPOLLOUT, sockabi.ExactIO
	case unix.SYS_ACCEPT, unix.SYS_ACCEPT4:
		need, mode = unix.EPOLLIN, sockabi.ExactAccept
	default:
		return false
	}
	nonblock := fdFlags&unix.O_NONBLOCK != 0 || msgFlags&unix.MSG_DONTWAIT != 0
	return nonblock && exact&mode != 0 && events&(need|unix.EPOLLERR|unix.EPOLLHUP|unix.EPOLLRDHUP) == 0
}

// msgFlagsArg is the flags argument of a send or receive call.
func msgFlagsArg(f *cpu.TrapFrame) uint64 {
	switch f.RAX {
	case unix.SYS_SENDTO, unix.SYS_RECVFROM:
		return f.R10
	case unix.SYS_SENDMSG, unix.SYS_RECVMSG:
		return f.RDX
	}
	return 0
}

// lastRelease is the request slot of the release socketReleased queued
// last, or -1: closeWait clears it and reads it in one trap.
var lastRelease = -1

// socketReleased tells the socket layer that a socket's last descriptor
// is gone.
func socketReleased(of *openFile) {
	if i, ok := queueRequest(sockabi.OpRelease, nil, of.obj, 0, -1); ok {
		lastRelease = i
	}
}

// closeWait closes the caller's descriptor fd and, when that released a
// socket, waits until the socket layer has closed it: on Linux a
// listener's port (or a unix socket's name) is free once close returns.
//
// Context: kernel (no allocation, no pointer stores).
func closeWait(fd uint64) unix.Errno {
	lastRelease = -1
	if e := closeFD(fd); e != 0 {
		return e
	}
	if i := lastRelease; i >= 0 {
		awaitRelease(i)
	}
	return 0
}

// awaitRelease waits for the reply to release request i. Close cannot
// fail once the descriptor is gone, so signals do not end the wait; a
// thread that is killed leaves the reply to free the slot.
//
// Context: kernel (no allocation, no pointer stores).
func awaitRelease(i int) {
	r := &requests[i]
	r.caller = cur
	for r.state != reqDone {
		if threads[cur].killed {
			r.caller = -1
			return
		}
		sleepOn(replyKeyBase+uint64(i), 0, false)
	}
	r.state = reqFree
}

// sysCopyIn and sysCopyOut move bytes between the memory of request R10's
// caller and the socket layer's buffer, both checked.
//
// Context: kernel (no allocation, no pointer stores).
func sysCopyIn(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := requestCaller(f.R10)
	if e != 0 {
		return 0, e
	}
	return 0, copyBetween(curProc(), f.RSI, p, f.RDI, f.RDX)
}

func sysCopyOut(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := requestCaller(f.R10)
	if e != 0 {
		return 0, e
	}
	return 0, copyBetween(p, f.RDI, curProc(), f.RSI, f.RDX)
}

// copyBetween copies n bytes from process sp's memory at src to process
// dp's at dst, a chunk at a time, each resolved as it is copied. At most
// one of them may be a process other than the program: the window shows
// one at a time.
//
// Context: kernel (no allocation, no pointer stores).
func copyBetween(dp int32, dst uint64, sp int32, src, n uint64) unix.Errno {
	done, e := usercopy.Between(userSpace(dp), dst, userSpace(sp), src, n)
	kstats.SockCopyBytes += done
	return e
}

// forwardSocketCall routes a system call to the socket layer when it is a
// socket call, or a descriptor call on a socket; handled reports whether
// it did.
//
// Context: kernel (no allocation, no pointer stores).
func forwardSocketCall(f *cpu.TrapFrame) (r uint64, e unix.Errno, handled bool) {
	nr := f.RAX
	switch {
	case sockabi.Forwarded(nr):
		of, e := lookupFD(f.RDI)
		if e == 0 && of.kind != kindSocket {
			e = unix.ENOTSOCK
		}
		if e != 0 {
			return 0, e, true
		}
		r, e := forwardOn(of, f)
		return r, e, true
	}
	for _, n := range sockabi.FDCalls {
		if n != nr {
			continue
		}
		of, e := lookupFD(f.RDI)
		if e != 0 || of.kind != kindSocket || nr == unix.SYS_IOCTL && f.RSI == ioctlFIONBIO {
			return 0, 0, false // the kernel's own handler answers
		}
		r, e := forwardOn(of, f)
		return r, e, true
	}
	return 0, 0, false
}

// forwardOn forwards a call on socket file of, unless its reported
// readiness already says the call would block.
//
// Context: kernel (no allocation, no pointer stores).
func forwardOn(of *openFile, f *cpu.TrapFrame) (uint64, unix.Errno) {
	if wouldBlock(f.RAX, msgFlagsArg(f), of.flags, of.events, of.exact) {
		kstats.SockWouldBlock++
		return 0, unix.EAGAIN
	}
	return forward(f, sockabi.OpSyscall, of.obj, of.flags)
}
