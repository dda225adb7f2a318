package kernel

import "warren.dev/fs/tmpfs"

// /tmp is a tmpfs (warren.dev/fs/tmpfs, docs/files.md): the one writable
// part of the file tree. File calls run in kernel context, so its pages
// come from the frame allocator and its inode table is a run of frames
// taken at boot; its size is warren.tmpfs=SIZE, by default a quarter of
// the memory free at boot.

// tmpDev is st_dev of its files, so that they are told apart from the
// read-only tree's (st_dev 0).
const tmpDev = 0x15

var (
	tmp tmpfs.FS
	// optTmpfsSize is warren.tmpfs in bytes (0: the default).
	optTmpfsSize uint64
)

// tmpEnv gives the tmpfs frames and the wall clock.
type tmpEnv struct{}

// Context: kernel (no allocation, no pointer stores).
func (tmpEnv) AllocPage() (uint64, bool) { return physFrames.Alloc() }

// Context: kernel (no allocation, no pointer stores).
func (tmpEnv) FreePage(pa uint64) { physFrames.Free(pa) }

// Context: kernel (no allocation, no pointer stores).
func (tmpEnv) Page(pa uint64) *[tmpfs.PageSize]byte {
	return (*[tmpfs.PageSize]byte)(physBytes(pa, tmpfs.PageSize))
}

// Context: kernel (no allocation, no pointer stores).
func (tmpEnv) Now() int64 { return realtime() }

// mountTmpfs makes the empty tmpfs: one inode per four pages of its size,
// between 256 and 65,536.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func mountTmpfs() {
	size := optTmpfsSize
	if size == 0 {
		size = physFrames.Stats().Free / 4 * pageSize
	}
	n := min(max(size/pageSize/4, 256), 1<<16)
	pa, ok := physFrames.AllocContig(int((n*sizeofInode+pageSize-1)/pageSize), 1)
	if !ok {
		bootFail("tmpfs: no memory for its inode table")
	}
	tmp.Init(tmpEnv{}, inodesAt(pa, int(n)), size)
}

// tmpIno is the tmpfs inode of an open file of kind kindTmpfs.
func tmpIno(of *openFile) tmpfs.Ino { return tmpfs.Ino(of.obj) }

// tmpStat fills a struct stat for a tmpfs inode.
func tmpStat(b []byte, ino tmpfs.Ino) {
	st := tmp.Stat(ino)
	clear(b)
	put64(b[0:], tmpDev)
	put64(b[8:], st.Ino)
	put64(b[16:], uint64(st.Nlink))
	put32(b[24:], st.Mode)
	put32(b[28:], st.Uid)
	put32(b[32:], st.Gid)
	put64(b[48:], uint64(st.Size))
	put64(b[56:], pageSize)
	put64(b[64:], uint64(st.Blocks))
	for i, t := range [3]int64{st.Atime, st.Mtime, st.Ctime} {
		put64(b[72+16*i:], uint64(t/1e9))
		put64(b[80+16*i:], uint64(t%1e9))
	}
}
