package files

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPipeSplice: bytes appended from a kernel buffer come out of a
// read in order across the ring's wrap; a peek leaves them, a drop takes
// them; an append stops when the pipe is full.
func TestPipeSplice(t *testing.T) {
	env := newEnv(PipeSize)
	var p Pipe
	openPipe(t, &p)
	// Move the read position near the end of the ring, so what follows
	// wraps.
	write(t, env, &p, pattern(PipeSize-100, 0), false)
	read(t, env, &p, PipeSize-100, false)

	data := pattern(PipeSize+10, 3)
	if n := PipeAppend(testPages, &p, data); n != PipeSize || p.Room() != 0 {
		t.Fatalf("append of %d bytes took %d, room %d; want %d, 0", len(data), n, p.Room(), PipeSize)
	}
	peek := make([]byte, 300)
	if n := PipePeek(testPages, &p, 50, peek); n != 300 || !bytes.Equal(peek, data[50:350]) {
		t.Fatalf("peek at 50 across the wrap: %d bytes, equal %v", n, bytes.Equal(peek[:n], data[50:350]))
	}
	if n := PipePeek(testPages, &p, PipeSize-10, peek); n != 10 {
		t.Fatalf("peek of the last 10 buffered bytes: %d", n)
	}
	PipeDrop(&p, 100)
	got, e := read(t, env, &p, 200, true)
	if e != 0 || !bytes.Equal(got, data[100:300]) {
		t.Fatalf("read after dropping 100: %v, equal %v", e, bytes.Equal(got, data[100:300]))
	}
	if p.Room() != 300 {
		t.Fatalf("room %d after taking 300, want 300", p.Room())
	}
}

// TestPipeHeld: while a splice holds a pipe, reads and writes wait (or,
// non-blocking, fail with EAGAIN) though bytes and room are there.
func TestPipeHeld(t *testing.T) {
	env := newEnv(PipeSize)
	var p Pipe
	openPipe(t, &p)
	write(t, env, &p, []byte("abc"), false)
	p.Held = true
	if _, e := read(t, env, &p, 3, true); e != unix.EAGAIN {
		t.Errorf("non-blocking read of a held pipe: %v, want EAGAIN", e)
	}
	if _, e := write(t, env, &p, []byte("d"), true); e != unix.EAGAIN {
		t.Errorf("non-blocking write to a held pipe: %v, want EAGAIN", e)
	}
	env.waits = append(env.waits, func() unix.Errno { p.Held = false; return 0 })
	if got, e := read(t, env, &p, 3, false); e != 0 || string(got) != "abc" || env.slept != 1 {
		t.Errorf("blocking read of a held pipe: %q, %v after %d waits; want abc after 1", got, e, env.slept)
	}
}
