package kernel

import (
	"warren.dev/boot/initrd"
	"warren.dev/boot/multiboot"
)

// The initrd is a newc cpio archive carried as a Multiboot module (for
// `warren test`, the package's directory); the kernel serves it as a
// read-only file tree rooted at /.

const maxInitrdEntries = 1 << 16

var (
	initrdFS      initrd.Archive
	initrdEntries []initrd.Entry
)

// emptyArchive is the tree without an initrd: a newc archive of its
// trailer alone, which is the root directory alone (statically
// initialised: kmain reads it before the runtime starts).
var emptyArchive = []byte("070701" +
	"00000000" + "00000000" + "00000000" + "00000000" + "00000001" + "00000000" + "00000000" + // ino mode uid gid nlink mtime filesize
	"00000000" + "00000000" + "00000000" + "00000000" + "0000000B" + "00000000" + // devmajor devminor rdevmajor rdevminor namesize check
	"TRAILER!!!\x00\x00\x00\x00")

// mountInitrd indexes the first module that is a newc archive, or
// without one an empty tree (the root directory alone), and sets the
// working directory from warren.cwd.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func mountInitrd(info *multiboot.Info) {
	root := [1]byte{'/'}
	initCwd(root[:])
	data := emptyArchive
	for _, m := range info.ModuleList() {
		if len(m.Data) >= 6 && string(m.Data[:6]) == "070701" {
			data = m.Data
			break
		}
	}
	n, err := initrd.Count(data)
	if err != nil {
		bootFail(err.Error())
	}
	if n > maxInitrdEntries {
		bootFail("initrd: too many entries")
	}
	size := uint64(n) * uint64(sizeofEntry)
	pa, ok := physFrames.AllocContig(int((size+pageSize-1)/pageSize), 1)
	if !ok {
		bootFail("initrd: no memory for its index")
	}
	initrdEntries = entriesAt(pa, n)
	if err := initrdFS.Init(data, initrdEntries); err != nil {
		bootFail(err.Error())
	}
	if len(optCwd) > 0 {
		if idx, ok := initrdFS.Lookup(optCwd); !ok || !initrdFS.IsDir(idx) {
			var l line
			l.s("warren: boot option warren.cwd=").b(optCwd).s(": no such directory in the initrd").put()
			powerOff(exitBootFailure)
		}
		initCwd(optCwd)
	}
}

// initrdData returns the bytes of an open initrd file.
func initrdData(idx int32) []byte { return initrdFS.Data(int(idx)) }
