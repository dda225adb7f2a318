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
	cwdBuf        [pathMax]byte
	cwdLen        int
)

// mountInitrd indexes the first module that is a newc archive, and sets
// the working directory from warren.cwd.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func mountInitrd(info *multiboot.Info) {
	cwdLen = copy(cwdBuf[:], "/")
	for _, m := range info.ModuleList() {
		if len(m.Data) < 6 || string(m.Data[:6]) != "070701" {
			continue
		}
		n, err := initrd.Count(m.Data)
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
		if err := initrdFS.Init(m.Data, initrdEntries); err != nil {
			bootFail(err.Error())
		}
		break
	}
	if len(optCwd) > 0 {
		if idx, ok := initrdFS.Lookup(optCwd); !ok || !initrdFS.IsDir(idx) {
			var l line
			l.s("warren: boot option warren.cwd=").b(optCwd).s(": no such directory in the initrd").put()
			powerOff(exitBootFailure)
		}
		cwdLen = copy(cwdBuf[:], optCwd)
	}
}

// initrdData returns the bytes of an open initrd file.
func initrdData(idx int32) []byte { return initrdFS.Data(int(idx)) }
