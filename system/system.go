// Package system assembles a Warren image: importing it links the kernel,
// the drivers and the network stack into a Go program and starts them
// before main. The warren tool adds the import at build time, so programs
// need no change.
package system

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	_ "warren.dev/kernel"
	"warren.dev/kernel/sockabi"
	"warren.dev/sockets"
)

func init() {
	if !onWarren() {
		return
	}
	startNetwork()
	// Announce the socket layer before main runs, so the kernel queues
	// socket calls for it instead of refusing them, then serve them.
	syscall.RawSyscall(sockabi.SysServe, 0, 0, 0)
	go func() {
		if err := sockets.Serve(&adaptiveProcs{Server: sockets.System()}); err != nil {
			fmt.Fprintf(os.Stderr, "warren: socket layer: %v\n", err)
		}
	}()
}

// SocketProcs is GOMAXPROCS once the program makes socket system calls.
// They are served by goroutines of the program, and a thread waiting in
// one keeps its P: with one P the socket layer runs only after sysmon
// takes it back. Ring-3 Go programs wait the same way, for the program's
// socket layer, so warren.dev/proc/init gives them this many Ps too. Programs on the in-program netstack API (warren.dev/net) make
// no such calls and keep one P, which serves them best on one CPU
// (measured: the in-kernel httpd did 1153 req/s with one P, 1093 with
// four; an unmodified net/http program 190 with one, 475 with four).
const SocketProcs = 4

// adaptiveProcs raises GOMAXPROCS at the first forwarded call, unless the
// command line set it.
type adaptiveProcs struct {
	sockets.Server
	once sync.Once
}

func (a *adaptiveProcs) Next(r *sockabi.Request) unix.Errno {
	e := a.Server.Next(r)
	a.once.Do(func() {
		if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) < SocketProcs {
			runtime.GOMAXPROCS(SocketProcs)
		}
	})
	return e
}

// onWarren tells a Warren machine from a Linux host: Warren answers its
// own fault-wait call's size check with EINVAL, Linux knows no such call.
func onWarren() bool {
	_, _, e := syscall.RawSyscall(500, 0, 1, 0)
	return e == syscall.EINVAL
}
