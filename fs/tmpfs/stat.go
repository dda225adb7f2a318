package tmpfs

import "golang.org/x/sys/unix"

// Stat is what stat(2) reports of an inode.
type Stat struct {
	Ino                 uint64
	Mode, Nlink         uint32
	Uid, Gid            uint32
	Size, Blocks        int64 // Blocks: 512-byte units held
	Atime, Mtime, Ctime int64 // nanoseconds since the epoch
}

// direntSize is the size Linux's tmpfs reports per directory entry.
const direntSize = 20

// Stat describes ino.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Stat(ino Ino) Stat {
	n := &fs.inodes[ino]
	size := n.size
	if fs.isDir(ino) {
		size = int64(n.nents+2) * direntSize
	}
	return Stat{
		Ino: InodeNumber(ino), Mode: n.mode, Nlink: n.nlink, Uid: n.uid, Gid: n.gid,
		Size: size, Blocks: n.pages * (PageSize / 512),
		Atime: n.atime, Mtime: n.mtime, Ctime: n.ctime,
	}
}

// InodeNumber is the st_ino of ino.
func InodeNumber(ino Ino) uint64 { return uint64(ino) + 1 }

// Statfs is what statfs(2) reports: sizes in pages and inode counts.
type Statfs struct {
	Blocks, Free uint64
	Files, Ffree uint64
}

// Statfs describes the file system's use.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Statfs() Statfs {
	return Statfs{
		Blocks: fs.limit, Free: fs.limit - min(fs.used, fs.limit),
		Files: uint64(len(fs.inodes)), Ffree: uint64(len(fs.inodes) - fs.nused),
	}
}

// Chmod sets ino's permission bits (07777).
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Chmod(ino Ino, mode uint32) {
	n := &fs.inodes[ino]
	n.mode = n.mode&unix.S_IFMT | mode&0o7777
	n.ctime = fs.env.Now()
}

// Chown sets ino's owner and group; -1 leaves one as it is.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Chown(ino Ino, uid, gid int32) {
	n := &fs.inodes[ino]
	if uid != -1 {
		n.uid = uint32(uid)
	}
	if gid != -1 {
		n.gid = uint32(gid)
	}
	n.ctime = fs.env.Now()
}

// Omit, as a time to SetTimes, leaves that time as it is.
const Omit = -1 << 63

// SetTimes sets ino's access and modification times (nanoseconds since
// the epoch) unless Omit. The change time becomes now.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) SetTimes(ino Ino, atime, mtime int64) {
	n := &fs.inodes[ino]
	if atime != Omit {
		n.atime = atime
	}
	if mtime != Omit {
		n.mtime = mtime
	}
	n.ctime = fs.env.Now()
}
