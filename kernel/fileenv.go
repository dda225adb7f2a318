package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/files"
)

// fileEnv is the calling thread as package files reaches it: its
// process's memory, and sleeping on readiness.
type fileEnv struct{ userSpace }

// callerEnv is the calling thread's fileEnv.
func callerEnv() fileEnv { return fileEnv{caller()} }

// Wait implements files.Env.
//
// Context: kernel (no allocation, no pointer stores).
func (fileEnv) Wait(deadline int64) unix.Errno {
	switch sleepOn(pollKey, deadline, true) {
	case wokenSignal:
		return unix.EINTR
	case wokenTimeout:
		return unix.ETIMEDOUT
	}
	return 0
}

// Notify implements files.Env.
//
// Context: kernel (no allocation, no pointer stores).
func (fileEnv) Notify() { pollNotify() }

// Now implements files.Env.
//
// Context: kernel (no allocation, no pointer stores).
func (fileEnv) Now() int64 { return nanotime() }

var _ files.Env = fileEnv{}
