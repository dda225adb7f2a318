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
