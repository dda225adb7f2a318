package sockets

import (
	"maps"
	"slices"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// FakeKernel's files: those SetFile serves, regular files for sendfile
// (and pipes for splice), and the socket files of path-named unix
// sockets.

func (k *FakeKernel) SetFile(path string, data []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.files[path] = append([]byte(nil), data...)
}

// AddFile makes a regular file holding data and returns the number a
// forwarded sendfile names it by (its Args[1]).
func (k *FakeKernel) AddFile(data []byte) int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.regular == nil {
		k.regular = map[int32][]byte{}
	}
	f := int32(len(k.regular))
	k.regular[f] = data
	return f
}

// ReadFile reads a file AddFile made.
func (k *FakeKernel) ReadFile(id uint64, file int32, off int64, b []byte) (int, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	data, ok := k.regular[file]
	switch {
	case !k.serving[id] && id != sockabi.DirectID, !ok, off < 0:
		return 0, unix.EINVAL
	case off >= int64(len(data)):
		return 0, 0
	}
	return copy(b, data[off:]), 0
}

// WritePipe appends b to a file AddFile made, which stands for a
// splice's pipe.
func (k *FakeKernel) WritePipe(id uint64, file int32, b []byte) (int, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	data, ok := k.regular[file]
	if !k.serving[id] && id != sockabi.DirectID || !ok {
		return 0, unix.EINVAL
	}
	k.regular[file] = append(data, b...)
	return len(b), 0
}

// fakePipe is a pipe of the program: a file AddFile made holds its
// bytes, and size bounds them.
type fakePipe struct {
	file int32
	size int
	held bool
}

// AddPipe makes a pipe of size bytes holding data, with one descriptor
// for both ends, and returns it and the file its bytes are in.
func (k *FakeKernel) AddPipe(size int, data []byte) (fd int, file int32) {
	file = k.AddFile(data)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pipes == nil {
		k.pipes = map[int]*fakePipe{}
	}
	fd = k.nextFD
	k.nextFD++
	k.pipes[fd] = &fakePipe{file: file, size: size}
	k.gen++
	return fd, file
}

// SpliceHold makes the kernel's checks of a splice between a pipe and a
// non-blocking socket, but waits for nothing: an empty or full pipe is
// EAGAIN.
func (k *FakeKernel) SpliceHold(args [6]uint64) (int32, uint64, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	in, out := int(int32(args[0])), int(int32(args[2]))
	sock, pfd, toSocket := out, in, true
	if k.pipes[out] != nil {
		sock, pfd, toSocket = in, out, false
	}
	p, f := k.pipes[pfd], k.fds[sock]
	open := func(fd int) bool { return k.pipes[fd] != nil || k.fds[fd].sock != 0 }
	switch {
	case args[5]&^(unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK|unix.SPLICE_F_MORE|unix.SPLICE_F_GIFT) != 0:
		return 0, 0, unix.EINVAL
	case !open(in) || !open(out):
		return 0, 0, unix.EBADF
	case p == nil:
		return 0, 0, unix.EINVAL
	case toSocket && args[1] != 0 || !toSocket && args[3] != 0:
		return 0, 0, unix.ESPIPE
	case f.sock == 0 || f.flags&unix.O_NONBLOCK == 0:
		return 0, 0, unix.ENOTSOCK
	case p.held:
		panic("sockets: a fake pipe held twice")
	case args[4] == 0:
		return 0, 0, 0
	}
	count, buffered := args[4], uint64(len(k.regular[p.file]))
	if toSocket {
		count = min(count, buffered)
	} else {
		count = min(count, uint64(p.size)-buffered)
	}
	if count == 0 {
		return 0, 0, unix.EAGAIN
	}
	p.held = true
	return p.file, count, 0
}

// SpliceRelease ends a hold: n bytes sent to the socket leave the pipe.
func (k *FakeKernel) SpliceRelease(file int32, dir, n uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, p := range k.pipes {
		if p.file == file && p.held {
			p.held = false
			if dir == sockabi.SpliceToSocket {
				k.regular[file] = k.regular[file][n:]
			}
			return
		}
	}
	panic("sockets: a fake pipe released that was not held")
}

// Held reports whether a splice holds the pipe behind fd.
func (k *FakeKernel) Held(fd int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pipes[fd] != nil && k.pipes[fd].held
}

// FileData returns the contents of a file AddFile made.
func (k *FakeKernel) FileData(file int32) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.regular[file])
}

// File returns the contents SetFile gave path.
func (k *FakeKernel) File(path string) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.files[path]
	return b, ok
}

// FilePaths are the paths SetFile gave files, sorted.
func (k *FakeKernel) FilePaths() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Sorted(maps.Keys(k.files))
}

// UnixName makes or finds a socket file, as the kernel's SysUnixName does
// in its tmpfs; here every path is writable and names itself.
func (k *FakeKernel) UnixName(op int, path string) (uint64, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	ino, ok := k.sockFiles[path]
	switch {
	case op == sockabi.UnixBind && ok:
		return 0, unix.EADDRINUSE
	case op == sockabi.UnixBind:
		k.nextIno++
		k.sockFiles[path] = k.nextIno
		return k.nextIno, 0
	case !ok:
		return 0, unix.ENOENT
	}
	return ino, 0
}

// Unlink removes a socket file, as unlink(2) would.
func (k *FakeKernel) Unlink(path string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.sockFiles, path)
}
