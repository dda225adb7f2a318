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
	return PipeWrite(env, testPages, p, memBase, uint64(len(data)), nonblock)
}

// read reads up to n bytes from p and returns them.
func read(t *testing.T, env fakeEnv, p *Pipe, n int, nonblock bool) ([]byte, unix.Errno) {
	t.Helper()
	got, e := PipeRead(env, testPages, p, memBase, uint64(n), nonblock)
	return env.get(memBase, int(got)), e
}

// openPipe makes p a new pipe in testPages.
func openPipe(t *testing.T, p *Pipe) {
	t.Helper()
	if !OpenPipe(testPages, p, 1) {
		t.Fatal("OpenPipe found no pages")
	}
}

// TestPipePages: a pipe takes its ring's pages when made and gives them
// back when both ends are closed; with too few left, making one fails and
// keeps none.
func TestPipePages(t *testing.T) {
	mem := newPages(pipePages + 2)
	var p, q Pipe
	if !OpenPipe(mem, &p, 1) || len(mem.pages) != pipePages {
		t.Fatalf("a pipe holds %d pages, want %d", len(mem.pages), pipePages)
	}
	if OpenPipe(mem, &q, 1) || q.Used || len(mem.pages) != pipePages {
		t.Fatalf("a second pipe with 2 pages left: used %v, %d pages held", q.Used, len(mem.pages))
	}
	ClosePipe(mem, &p, false)
	if len(mem.pages) != pipePages {
		t.Fatal("closing the write end freed the ring")
	}
	ClosePipe(mem, &p, true)
	if len(mem.pages) != 0 || p.Used {
		t.Fatalf("%d pages held after both ends closed", len(mem.pages))
	}
	if !OpenPipe(mem, &q, 1) {
		t.Fatal("no pipe after the first was freed")
	}
}

// TestPipeWrapAround: bytes written across the end of the ring come back
// in order, and a full pipe takes no more without blocking.
func TestPipeWrapAround(t *testing.T) {
	env := newEnv(2 * PipeSize)
	var p Pipe
	openPipe(t, &p)
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
	openPipe(t, &p)
	write(t, env, &p, []byte("tail"), false)
	ClosePipe(testPages, &p, false)
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
	ClosePipe(testPages, &p, true)
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
	openPipe(t, &p)
	env.waits = append(env.waits, func() unix.Errno { ClosePipe(testPages, &p, true); return 0 })
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
	openPipe(t, &p)
	other.put(memBase, []byte("late"))
	env.waits = append(env.waits, func() unix.Errno {
		PipeWrite(other, testPages, &p, memBase, 4, false)
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
		PipeRead(other, testPages, &p, memBase, 5, false)
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
	openPipe(t, &p)
	write(t, env, &p, []byte("kept"), false)
	if n, e := PipeRead(env, testPages, &p, 8, 4, false); n != 0 || e != unix.EFAULT {
		t.Fatalf("read to a bad address: %d, %v", n, e)
	}
	if n, e := PipeWrite(env, testPages, &p, 8, 4, false); n != 0 || e != unix.EFAULT {
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
	openPipe(t, &p)
	allocs := testing.AllocsPerRun(100, func() {
		PipeWrite(env, testPages, &p, memBase, 100, false)
		PipeRead(env, testPages, &p, memBase, 100, false)
		p.Poll(true)
	})
	if allocs != 0 {
		t.Errorf("%v allocations a round", allocs)
	}
}

// TestFifoOpenNonblock: with O_NONBLOCK a FIFO's read end opens at once
// and its write end fails with ENXIO until a reader has it open; bytes
// then pass, and the reader gets end of file after the writer closes.
func TestFifoOpenNonblock(t *testing.T) {
	env, mem := newEnv(PipeSize), newPages(0)
	var p Pipe
	if !OpenFifo(mem, &p, 1) {
		t.Fatal("OpenFifo found no pages")
	}
	wantErrno(t, "write open without a reader", FifoOpen(env, mem, &p, false, true, true), unix.ENXIO)
	if p.Used || len(mem.pages) != 0 {
		t.Fatalf("after the failed open: used %v, %d pages held", p.Used, len(mem.pages))
	}
	OpenFifo(mem, &p, 1)
	wantErrno(t, "read open", FifoOpen(env, mem, &p, true, false, true), 0)
	wantErrno(t, "write open with a reader", FifoOpen(env, mem, &p, false, true, true), 0)
	env.put(memBase, []byte("fifo"))
	if n, e := PipeWrite(env, mem, &p, memBase, 4, true); n != 4 || e != 0 {
		t.Fatalf("write: %d, %v", n, e)
	}
	ClosePipe(mem, &p, false)
	if n, e := PipeRead(env, mem, &p, memBase, 100, true); n != 4 || e != 0 || string(env.get(memBase, 4)) != "fifo" {
		t.Fatalf("read: %d, %v", n, e)
	}
	if n, e := PipeRead(env, mem, &p, memBase, 100, true); n != 0 || e != 0 {
		t.Fatalf("read after the writer closed: %d, %v; want end of file", n, e)
	}
	ClosePipe(mem, &p, true)
	if p.Used || len(mem.pages) != 0 {
		t.Fatalf("after both closed: used %v, %d pages held", p.Used, len(mem.pages))
	}
	if env.slept != 0 {
		t.Errorf("slept %d times in non-blocking opens", env.slept)
	}
}

// TestFifoOpenWaits: a blocking open of one end waits for an open of the
// other, which wakes it even if that end is closed again before it runs;
// O_RDWR never waits; a signal ends the wait with EINTR and undoes the
// open.
func TestFifoOpenWaits(t *testing.T) {
	env, other, mem := newEnv(PipeSize), newEnv(PipeSize), newPages(0)
	var p Pipe
	OpenFifo(mem, &p, 1)
	env.waits = append(env.waits,
		func() unix.Errno { return 0 }, // a wake-up for something else
		func() unix.Errno { return FifoOpen(other, mem, &p, false, true, false) })
	wantErrno(t, "read open", FifoOpen(env, mem, &p, true, false, false), 0)
	if env.slept != 2 || p.readers != 1 || p.writers != 1 {
		t.Fatalf("slept %d times; %d readers, %d writers", env.slept, p.readers, p.writers)
	}
	ClosePipe(mem, &p, true)
	// The writer alone: a reader that comes and goes still wakes a
	// waiting writer.
	env.waits = append(env.waits, func() unix.Errno {
		FifoOpen(other, mem, &p, true, false, true)
		ClosePipe(mem, &p, true)
		return 0
	})
	wantErrno(t, "write open", FifoOpen(env, mem, &p, false, true, false), 0)
	wantErrno(t, "O_RDWR open", FifoOpen(env, mem, &p, true, true, false), 0)
	ClosePipe(mem, &p, true)
	for range 3 { // other's, the waiting open's, O_RDWR's
		ClosePipe(mem, &p, false)
	}
	if p.Used {
		t.Fatal("pipe used with every end closed")
	}
	OpenFifo(mem, &p, 1)
	wantErrno(t, "read open ended by a signal", FifoOpen(env, mem, &p, true, false, false), unix.EINTR)
	if p.Used || len(mem.pages) != 0 {
		t.Fatalf("after the interrupted open: used %v, %d pages held", p.Used, len(mem.pages))
	}
}
