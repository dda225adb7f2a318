package files

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8 + seed)
	}
	return b
}

// write puts data into the caller's memory and writes it to p.
func write(t *testing.T, env fakeEnv, p *Pipe, data []byte, nonblock bool) (uint64, unix.Errno) {
	t.Helper()
	env.put(memBase, data)
	return PipeWrite(env, p, memBase, uint64(len(data)), nonblock)
}

// read reads up to n bytes from p and returns them.
func read(t *testing.T, env fakeEnv, p *Pipe, n int, nonblock bool) ([]byte, unix.Errno) {
	t.Helper()
	got, e := PipeRead(env, p, memBase, uint64(n), nonblock)
	return env.get(memBase, int(got)), e
}

// TestPipeWrapAround: bytes written across the end of the ring come back
// in order, and a full pipe takes no more without blocking.
func TestPipeWrapAround(t *testing.T) {
	env := newEnv(2 * PipeSize)
	var p Pipe
	p.Open(1)
	first := pattern(PipeSize-100, 1)
	if n, e := write(t, env, &p, first, true); n != uint64(len(first)) || e != 0 {
		t.Fatalf("first write: %d, %v", n, e)
	}
	if got, e := read(t, env, &p, PipeSize-1000, true); e != 0 || !bytes.Equal(got, first[:PipeSize-1000]) {
		t.Fatalf("first read: %d bytes, %v", len(got), e)
	}
	// 900 bytes wait at the ring's end; this write wraps past it and
	// fills the pipe: a non-blocking write stops short with EAGAIN.
	second := pattern(PipeSize, 2)
	n, e := write(t, env, &p, second, true)
	if n != PipeSize-900 || e != unix.EAGAIN {
		t.Fatalf("wrapping write: %d, %v; want %d, EAGAIN", n, e, PipeSize-900)
	}
	if p.Buffered() != PipeSize {
		t.Fatalf("buffered %d, want full", p.Buffered())
	}
	if ev, _ := p.Poll(false); ev&unix.EPOLLOUT != 0 {
		t.Errorf("a full pipe's write end polls %#x, with EPOLLOUT", ev)
	}
	want := append(bytes.Clone(first[PipeSize-1000:]), second[:n]...)
	got, e := read(t, env, &p, 2*PipeSize, true)
	if e != 0 || !bytes.Equal(got, want) {
		t.Fatalf("read across the wrap: %d bytes (want %d), %v; equal %v", len(got), len(want), e, bytes.Equal(got, want))
	}
	if _, e := read(t, env, &p, 1, true); e != unix.EAGAIN {
		t.Fatalf("read of an empty pipe with a writer: %v, want EAGAIN", e)
	}
}

// TestPipeEOF: once the last writer closes, the reader gets what was
// buffered, then end of file, and polls EPOLLHUP.
func TestPipeEOF(t *testing.T) {
	env := newEnv(PipeSize)
	var p Pipe
	p.Open(1)
	write(t, env, &p, []byte("tail"), false)
	p.Close(false)
	if ev, _ := p.Poll(true); ev != unix.EPOLLIN|unix.EPOLLRDNORM|unix.EPOLLHUP {
		t.Errorf("reader polls %#x, want IN|RDNORM|HUP", ev)
	}
	if got, e := read(t, env, &p, 100, false); e != 0 || string(got) != "tail" {
		t.Fatalf("read %q, %v", got, e)
	}
	for range 2 {
		if got, e := read(t, env, &p, 100, false); e != 0 || len(got) != 0 {
			t.Fatalf("read at EOF: %q, %v", got, e)
		}
	}
	if env.slept != 0 {
		t.Errorf("slept %d times: end of file must not wait", env.slept)
	}
	if ev, _ := p.Poll(true); ev != unix.EPOLLHUP {
		t.Errorf("drained reader polls %#x, want HUP", ev)
	}
	p.Close(true)
	if p.Used {
		t.Error("pipe still used with both ends closed")
	}
}

// TestPipeEPIPE: writing with no reader fails with EPIPE; a write that
// was waiting when the last reader closed returns what it buffered, with
// EPIPE for the caller to raise SIGPIPE.
func TestPipeEPIPE(t *testing.T) {
	env := newEnv(2 * PipeSize)
	var p Pipe
	p.Open(1)
	env.waits = append(env.waits, func() unix.Errno { p.Close(true); return 0 })
	n, e := write(t, env, &p, pattern(PipeSize+10, 3), false)
	if n != PipeSize || e != unix.EPIPE {
		t.Fatalf("write across the reader's close: %d, %v; want %d, EPIPE", n, e, PipeSize)
	}
	if ev, _ := p.Poll(false); ev&unix.EPOLLERR == 0 {
		t.Errorf("writer polls %#x without EPOLLERR", ev)
	}
	n, e = write(t, env, &p, []byte("x"), true)
	if n != 0 || e != unix.EPIPE {
		t.Fatalf("write with no reader: %d, %v; want 0, EPIPE", n, e)
	}
}

// TestPipeBlocking: a read of an empty pipe and a write to a full one
// sleep until the other end moves; a signal ends the sleep with EINTR,
// keeping what was written before it.
func TestPipeBlocking(t *testing.T) {
	env := newEnv(2 * PipeSize)
	other := newEnv(16)
	var p Pipe
	p.Open(1)
	other.put(memBase, []byte("late"))
	env.waits = append(env.waits, func() unix.Errno {
		PipeWrite(other, &p, memBase, 4, false)
		return 0
	})
	if got, e := read(t, env, &p, 100, false); e != 0 || string(got) != "late" || env.slept != 1 {
		t.Fatalf("blocking read: %q, %v after %d sleeps", got, e, env.slept)
	}
	if other.notified == 0 {
		t.Error("a write notified no one")
	}
	_, e := read(t, env, &p, 100, false)
	wantErrno(t, "read interrupted", e, unix.EINTR)

	data := pattern(PipeSize+5, 4)
	env.waits = append(env.waits, func() unix.Errno {
		PipeRead(other, &p, memBase, 5, false)
		return 0
	})
	if n, e := write(t, env, &p, data, false); n != uint64(len(data)) || e != 0 {
		t.Fatalf("blocking write: %d, %v", n, e)
	}
	n, e := write(t, env, &p, []byte("more"), false)
	if n != 0 || e != unix.EINTR {
		t.Fatalf("write to a full pipe, interrupted: %d, %v", n, e)
	}
}

// TestPipeFault: bytes that cannot be copied out stay in the pipe.
func TestPipeFault(t *testing.T) {
	env := newEnv(PipeSize)
	var p Pipe
	p.Open(1)
	write(t, env, &p, []byte("kept"), false)
	if n, e := PipeRead(env, &p, 8, 4, false); n != 0 || e != unix.EFAULT {
		t.Fatalf("read to a bad address: %d, %v", n, e)
	}
	if n, e := PipeWrite(env, &p, 8, 4, false); n != 0 || e != unix.EFAULT {
		t.Fatalf("write from a bad address: %d, %v", n, e)
	}
	if got, e := read(t, env, &p, 100, false); e != 0 || string(got) != "kept" {
		t.Fatalf("read after the fault: %q, %v", got, e)
	}
}

// TestPipeNoAlloc: reads and writes run in kernel context.
func TestPipeNoAlloc(t *testing.T) {
	env := newEnv(PipeSize)
	var p Pipe
	p.Open(1)
	allocs := testing.AllocsPerRun(100, func() {
		PipeWrite(env, &p, memBase, 100, false)
		PipeRead(env, &p, memBase, 100, false)
		p.Poll(true)
	})
	if allocs != 0 {
		t.Errorf("%v allocations a round", allocs)
	}
}
