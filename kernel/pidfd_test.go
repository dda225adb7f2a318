package kernel

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// pidfdChild makes slot 6 a live clone child of the caller's process
// (slot 0 on the host) with pid 906, and gives the caller a pidfd for
// it with flags.
func pidfdChild(t *testing.T, flags uint64) uint64 {
	t.Helper()
	const slot = 6
	clearFDs(0)
	procs[slot] = process{state: procLive, pid: 906, parent: curProc(), forked: true, mm: slot}
	t.Cleanup(func() { procs[slot] = process{}; closeAllFDs(0) })
	fd, e := sysPidfdOpen(&cpu.TrapFrame{RDI: 906, RSI: flags})
	if e != 0 {
		t.Fatalf("pidfd_open(906, %#x): %v", flags, e)
	}
	return fd
}

func TestPidfdOpen(t *testing.T) {
	fd := pidfdChild(t, unix.PIDFD_NONBLOCK)
	resetSched(t)
	threads[firstThread] = thread{proc: 6, tid: 908, state: threadRunnable}
	threadHigh = firstThread + 1
	if !fds().CloseOnExec(fd) {
		t.Error("a pidfd is not close-on-exec")
	}
	if pid, nonblock, e := pidfdTarget(fd); pid != 906 || !nonblock || e != 0 {
		t.Errorf("pidfdTarget: %d, %v, %v; want 906, nonblocking", pid, nonblock, e)
	}
	for _, c := range []struct {
		pid, flags uint64
		want       unix.Errno
	}{
		{906, 1, unix.EINVAL},
		{0, 0, unix.EINVAL},
		{1<<32 - 1, 0, unix.EINVAL}, // -1
		{907, 0, unix.ESRCH},
		{908, 0, unix.EINVAL}, // a thread of process 906
	} {
		if _, e := sysPidfdOpen(&cpu.TrapFrame{RDI: c.pid, RSI: c.flags}); e != c.want {
			t.Errorf("pidfd_open(%d, %#x): %v, want %v", c.pid, c.flags, e, c.want)
		}
	}
	null, _ := openNew(kindNull, 0, unix.O_RDWR)
	if _, _, e := pidfdTarget(null); e != unix.EBADF {
		t.Errorf("pidfdTarget of /dev/null: %v, want EBADF", e)
	}
}

// TestPidfdPoll: a pidfd is readable once its process has ended, with
// one readiness sequence number from then on, and stays readable when
// the process has been collected and its slot holds another.
func TestPidfdPoll(t *testing.T) {
	fd := pidfdChild(t, 0)
	of, _ := lookupFD(fd)
	if ev, seq := of.poll(); ev != 0 || seq != 0 {
		t.Errorf("a live process's pidfd: events %#x seq %d", ev, seq)
	}
	procs[6].state = procZombie
	ev, seq := of.poll()
	if ev&unix.EPOLLIN == 0 || seq == 0 {
		t.Errorf("an ended process's pidfd: events %#x seq %d; want EPOLLIN and an edge", ev, seq)
	}
	procs[6] = process{state: procLive, pid: 999, mm: 6} // collected, and the slot reused
	if ev2, seq2 := of.poll(); ev2 != ev || seq2 != seq {
		t.Errorf("after the slot's reuse: events %#x seq %d; want %#x %d", ev2, seq2, ev, seq)
	}
}

// TestWaitidPidfd: waitid(P_PIDFD) waits for the pidfd's process only,
// a nonblocking pidfd gives EAGAIN rather than sleep, and a collected
// process is no child.
func TestWaitidPidfd(t *testing.T) {
	fd := pidfdChild(t, unix.PIDFD_NONBLOCK)
	waitid := func(fd, options uint64) unix.Errno {
		_, e := sysWaitid(&cpu.TrapFrame{RDI: unix.P_PIDFD, RSI: fd, R10: options})
		return e
	}
	if e := waitid(fd, unix.WEXITED); e != unix.EAGAIN {
		t.Errorf("nonblocking pidfd of a live child: %v, want EAGAIN", e)
	}
	if e := waitid(fd, unix.WEXITED|unix.WNOHANG); e != 0 {
		t.Errorf("WNOHANG on a nonblocking pidfd of a live child: %v, want none", e)
	}
	procs[6].state = procZombie
	if e := waitid(fd, unix.WEXITED); e != 0 || procs[6].state != procFree {
		t.Errorf("an ended child: %v, slot state %d; want it collected", e, procs[6].state)
	}
	if e := waitid(fd, unix.WEXITED); e != unix.ECHILD {
		t.Errorf("a collected child: %v, want ECHILD", e)
	}
	if e := waitid(fd+1, unix.WEXITED); e != unix.EBADF {
		t.Errorf("no descriptor: %v, want EBADF", e)
	}
	if e := waitid(1<<31, unix.WEXITED); e != unix.EINVAL {
		t.Errorf("a negative descriptor: %v, want EINVAL", e)
	}
}

func TestPidfdSendSignal(t *testing.T) {
	fd := pidfdChild(t, 0)
	send := func(sig, info, flags uint64) unix.Errno {
		_, e := sysPidfdSendSignal(&cpu.TrapFrame{RDI: fd, RSI: sig, RDX: info, R10: flags})
		return e
	}
	for _, c := range []struct {
		sig, info, flags uint64
		want             unix.Errno
	}{
		{0, 0, 0, 0},
		{0, 0, 1, unix.EINVAL},
		{0, 0x1000, 0, unix.EINVAL},
		{maxSignal + 1, 0, 0, unix.EINVAL},
	} {
		if e := send(c.sig, c.info, c.flags); e != c.want {
			t.Errorf("pidfd_send_signal(sig %d, info %#x, flags %#x): %v, want %v", c.sig, c.info, c.flags, e, c.want)
		}
	}
	procs[6].state = procZombie
	if e := send(0, 0, 0); e != unix.ESRCH {
		t.Errorf("to an ended process: %v, want ESRCH", e)
	}
}

// TestClonePidfdFlags: CLONE_PIDFD is refused with CLONE_PARENT_SETTID,
// whose argument it uses, and with CLONE_THREAD, as on Linux.
func TestClonePidfdFlags(t *testing.T) {
	for _, flags := range []uint64{
		vforkFlags | unix.CLONE_PIDFD | unix.CLONE_PARENT_SETTID,
		cloneThreadFlags | unix.CLONE_PIDFD,
	} {
		if _, e := sysClone(&cpu.TrapFrame{RDI: flags}); e != unix.EINVAL {
			t.Errorf("clone(%#x): %v, want EINVAL", flags, e)
		}
	}
}
