package system

import (
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
	"warren.dev/sockets"
)

// SocketProcs is GOMAXPROCS once the program makes a socket call the
// kernel forwards (one on a blocking descriptor: the direct path serves
// the non-blocking ones net makes, on the caller's goroutine). Forwarded
// calls are served by goroutines of the program, and a thread waiting in
// one keeps its P: with one P the socket layer runs only after sysmon
// takes it back. Ring-3 Go programs wait the same way for every socket
// call, so warren.dev/proc/init gives them this many Ps too. (Measured
// when every call was forwarded: an unmodified net/http program did 190
// req/s with one P, 475 with four.)
//
// A program that never forwards keeps Go's own default, a P a CPU, as
// on Linux: more Ps than CPUs only makes threads queue for the CPU
// behind 10 ms time slices (measured on one vCPU, the unmodified
// service in the image under wrk -c32: 3,312 req/s and p99 101 ms with
// four Ps, 4,237 req/s and p99 16 ms with one).
const SocketProcs = 4

// adaptiveProcs raises GOMAXPROCS to SocketProcs at the first forwarded
// system call, unless the command line set GOMAXPROCS. Nothing else
// counts: Next also returns for a signal (EINTR), a socket's release
// at its last close and a caller's interrupt, none of which makes a
// thread wait for the socket layer with its P.
type adaptiveProcs struct {
	sockets.Server
	once sync.Once
}

func (a *adaptiveProcs) Next(r *sockabi.Request, id, result uint64, re unix.Errno) unix.Errno {
	e := a.Server.Next(r, id, result, re)
	if e == 0 && r.Op == sockabi.OpSyscall {
		a.once.Do(func() {
			if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) < SocketProcs {
				runtime.GOMAXPROCS(SocketProcs)
			}
		})
	}
	return e
}
