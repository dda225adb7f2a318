package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/files"
)

// The descriptor tables: one per process. A descriptor
// names an open file description, which dup shares; the description says
// what kind of object it is and which one. Everything is integers so the
// table can change in kernel context.

const (
	maxFDs   = files.MaxFDs
	maxFiles = maxFDs // the program can fill its table
)

type fileKind uint8

const (
	kindNone fileKind = iota
	kindConsole
	kindNull
	kindRandom
	kindZero
	kindEventfd
	kindEpoll
	kindInitrdFile
	kindInitrdDir
	kindPipe
	kindIRQ
	kindCmdline
	kindSocket
	kindEtc
	kindTmpfs
	kindPidfd
)

type openFile struct {
	kind   fileKind
	refs   int32
	flags  uint32 // O_NONBLOCK, O_APPEND, access mode
	obj    int32  // index in the kind's own table (initrd entry, tmpfs inode, eventfd, epoll, socket); a pidfd's pid
	offset int64
	events uint32 // a socket's ready EPOLL* events, as the socket layer reported them
	exact  uint32 // sockabi.ExactIO, ExactAccept: which calls events decide
	seq    uint64 // changes with events
}

var (
	fdTables  [maxProcs]files.Table
	openFiles [maxFiles]openFile
)

// descs is openFiles as package files reaches it.
type descs struct{}

// Hold implements files.Descriptions.
func (descs) Hold(f int32) { openFiles[f].refs++ }

// Release implements files.Descriptions.
func (descs) Release(f int32) { releaseFile(f) }

// fds is the calling thread's process's descriptor table.
func fds() *files.Table { return &fdTables[curProc()] }

// openConsoleFDs gives process p, whose table is empty, descriptors 0, 1
// and 2 on the console: runtimes check them at start-up.
//
// Context: kernel (no allocation, no pointer stores).
func openConsoleFDs(p int32) {
	clearFDs(p)
	f, e := newFile(kindConsole, 0, unix.O_RDWR)
	if e != 0 {
		return // no descriptions left: the process starts without them
	}
	for range 3 {
		openFiles[f].refs++
		files.Install(descs{}, &fdTables[p], f, 0, 3, false)
	}
	openFiles[f].refs-- // newFile's reference was only to hand it out
}

// clearFDs empties process p's descriptor table.
func clearFDs(p int32) { fdTables[p].Clear() }

// inheritFDs gives process c, whose table is empty, the descriptors of
// process p, as fork does.
//
// Context: kernel (no allocation, no pointer stores).
func inheritFDs(c, p int32) { files.Inherit(descs{}, &fdTables[c], &fdTables[p]) }

// closeAllFDs closes every descriptor of process p.
//
// Context: kernel (no allocation, no pointer stores).
func closeAllFDs(p int32) { files.CloseAll(descs{}, &fdTables[p]) }

// closeOnExec closes process p's close-on-exec descriptors, as execve
// does.
//
// Context: kernel (no allocation, no pointer stores).
func closeOnExec(p int32) { files.Exec(descs{}, &fdTables[p]) }

// newFile claims an open file description with one reference.
//
// Context: kernel (no allocation, no pointer stores).
func newFile(kind fileKind, obj int32, flags uint32) (int32, unix.Errno) {
	if !fileAllowed() {
		return -1, unix.ENFILE
	}
	for i := int32(0); i < maxFiles; i++ {
		if openFiles[i].refs == 0 {
			openFiles[i] = openFile{kind: kind, refs: 1, obj: obj, flags: flags}
			filesUsed++
			return i, 0
		}
	}
	return -1, unix.ENFILE
}

// installFD gives an open file description the lowest free descriptor at
// or above min in the caller's table, taking over the caller's reference.
//
// Context: kernel (no allocation, no pointer stores).
func installFD(f int32, min int, cloexec bool) (int, unix.Errno) {
	return installFDIn(curProc(), f, min, cloexec)
}

// installFDIn is installFD for process p's table.
//
// Context: kernel (no allocation, no pointer stores).
func installFDIn(p int32, f int32, min int, cloexec bool) (int, unix.Errno) {
	return files.Install(descs{}, &fdTables[p], f, min, fdLimit(p), cloexec)
}

// openNew makes a description and a descriptor for it.
func openNew(kind fileKind, obj int32, flags uint32) (uint64, unix.Errno) {
	f, e := newFile(kind, obj, flags&^unix.O_CLOEXEC)
	if e != 0 {
		return 0, e
	}
	fd, e := installFD(f, 0, flags&unix.O_CLOEXEC != 0)
	return uint64(fd), e
}

// lookupFD returns the open file behind fd.
//
// Context: kernel (no allocation, no pointer stores).
func lookupFD(fd uint64) (*openFile, unix.Errno) {
	f, e := fds().File(fd)
	if e != 0 {
		return nil, e
	}
	return &openFiles[f], 0
}

// releaseFile drops a reference; the last one frees the object.
func releaseFile(f int32) {
	of := &openFiles[f]
	of.refs--
	if of.refs > 0 {
		return
	}
	filesUsed--
	switch of.kind {
	case kindEventfd:
		eventfds[of.obj].Used = false
	case kindEpoll:
		epolls[of.obj].Used = false
	case kindPipe:
		pipeRelease(of)
	case kindIRQ:
		irqRelease(of)
	case kindSocket:
		socketReleased(of)
	case kindTmpfs:
		tmp.Close(tmpIno(of))
	}
	forgetInterest(f)
	of.kind = kindNone
}

// closeFD closes one of the caller's descriptors.
//
// Context: kernel (no allocation, no pointer stores).
func closeFD(fd uint64) unix.Errno { return closeFDIn(curProc(), fd) }

// closeFDIn closes one of process p's descriptors.
//
// Context: kernel (no allocation, no pointer stores).
func closeFDIn(p int32, fd uint64) unix.Errno { return files.Close(descs{}, &fdTables[p], fd) }

// nonblocking reports O_NONBLOCK on the description.
func (of *openFile) nonblocking() bool { return of.flags&unix.O_NONBLOCK != 0 }

// setFlags changes a description's status flags. Any process's table
// may name it, so every table's generation moves (files.Table.Changed).
//
// Context: kernel (no allocation, no pointer stores).
func (of *openFile) setFlags(flags uint32) {
	of.flags = flags
	for p := range fdTables {
		fdTables[p].Changed()
	}
}
