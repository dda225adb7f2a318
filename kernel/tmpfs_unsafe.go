package kernel

import (
	"unsafe"

	"warren.dev/fs/tmpfs"
)

// sizeofInode is the size of one tmpfs inode.
const sizeofInode = uint64(unsafe.Sizeof(tmpfs.Inode{}))

// inodesAt views n tmpfs inodes in physical memory at pa.
func inodesAt(pa uint64, n int) []tmpfs.Inode {
	return unsafe.Slice((*tmpfs.Inode)(pointerAt(pa)), n)
}
