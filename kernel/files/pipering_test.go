package files

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPipeResize: F_SETPIPE_SZ's rounding and refusals, buffered bytes
// kept across a wrap in both directions, a larger pipe filled to its
// size, and every page back once the pipe is closed, or when a resize
// runs out.
func TestPipeResize(t *testing.T) {
	mem := newPages(0)
	env := newEnv(MaxPipeSize)
	var p Pipe
	if !OpenPipe(mem, &p, 1) {
		t.Fatal("OpenPipe")
	}
	// Buffered bytes that wrap around the end of the ring.
	writePipe(t, env, mem, &p, pattern(PipeSize-100, 0))
	readPipe(t, env, mem, &p, PipeSize-100)
	data := pattern(300, 5)
	writePipe(t, env, mem, &p, data)

	if _, e := PipeResize(mem, &p, MaxPipeSize+1); e != unix.EPERM {
		t.Errorf("beyond MaxPipeSize: %v, want EPERM", e)
	}
	if n, e := PipeResize(mem, &p, 100_000); n != 128<<10 || e != 0 || p.Size() != n {
		t.Fatalf("resize to 100000: %d, %v; want 128 KiB", n, e)
	}
	if got := readPipe(t, env, mem, &p, 300); !bytes.Equal(got, data) {
		t.Fatal("the bytes buffered before growing differ after")
	}
	big := pattern(128<<10, 9)
	if n := writePipe(t, env, mem, &p, big); n != len(big) || p.Room() != 0 {
		t.Fatalf("a 128 KiB pipe took %d bytes, room %d", n, p.Room())
	}
	if _, e := PipeResize(mem, &p, 4096); e != unix.EBUSY {
		t.Errorf("shrinking below what is buffered: %v, want EBUSY", e)
	}
	p.Held = true
	if _, e := PipeResize(mem, &p, MaxPipeSize); e != unix.EBUSY {
		t.Errorf("resizing a pipe a splice holds: %v, want EBUSY", e)
	}
	p.Held = false
	readPipe(t, env, mem, &p, 128<<10-10)
	if n, e := PipeResize(mem, &p, 1); n != PageSize || e != 0 {
		t.Fatalf("resize to 1: %d, %v; want one page", n, e)
	}
	if got := readPipe(t, env, mem, &p, 10); !bytes.Equal(got, big[len(big)-10:]) {
		t.Fatal("the bytes buffered before shrinking differ after")
	}
	if len(mem.pages) != 1 {
		t.Errorf("a one-page pipe holds %d pages", len(mem.pages))
	}
	// Out of pages: the pipe keeps its ring.
	mem.limit = 3
	if _, e := PipeResize(mem, &p, MaxPipeSize); e != unix.ENOMEM || p.Size() != PageSize || len(mem.pages) != 1 {
		t.Errorf("resize without pages: %v, size %d, %d pages held", e, p.Size(), len(mem.pages))
	}
	mem.limit = 0
	PipeResize(mem, &p, MaxPipeSize)
	ClosePipe(mem, &p, true)
	ClosePipe(mem, &p, false)
	if len(mem.pages) != 0 {
		t.Errorf("%d pages held after a 1 MiB pipe was closed", len(mem.pages))
	}
}

func writePipe(t *testing.T, env fakeEnv, mem *fakePages, p *Pipe, data []byte) int {
	t.Helper()
	env.put(memBase, data)
	n, e := PipeWrite(env, mem, p, memBase, uint64(len(data)), true)
	if e != 0 && e != unix.EAGAIN {
		t.Fatalf("write: %v", e)
	}
	return int(n)
}

func readPipe(t *testing.T, env fakeEnv, mem *fakePages, p *Pipe, n int) []byte {
	t.Helper()
	got, e := PipeRead(env, mem, p, memBase, uint64(n), true)
	if e != 0 || int(got) != n {
		t.Fatalf("read of %d: %d, %v", n, got, e)
	}
	return env.get(memBase, n)
}
