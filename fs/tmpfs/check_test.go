package tmpfs

import "fmt"

// check verifies the file system's invariants: link counts match the
// entries naming each inode, each directory's entry count, parent and
// nlink agree with its entries, and the pages held add up.
func (fs *FS) check() string {
	names := make([]uint32, len(fs.inodes))
	subdirs := make([]uint32, len(fs.inodes))
	var pages int64
	for i := range fs.inodes {
		ino := Ino(i)
		n := &fs.inodes[i]
		if n.mode == 0 {
			continue
		}
		pages += n.pages
		if !fs.isDir(ino) {
			continue
		}
		count := int32(0)
		fs.scan(ino, 0, func(e entry) bool {
			count++
			names[e.ino]++
			if fs.isDir(e.ino) {
				subdirs[ino]++
				if fs.inodes[e.ino].parent != ino {
					panic(fmt.Sprintf("directory %d in %d has parent %d", e.ino, ino, fs.inodes[e.ino].parent))
				}
			}
			return true
		})
		if count != n.nents {
			return fmt.Sprintf("directory %d: %d entries, nents %d", i, count, n.nents)
		}
	}
	for i := range fs.inodes {
		n := &fs.inodes[i]
		if n.mode == 0 {
			continue
		}
		want := names[i]
		if fs.isDir(Ino(i)) {
			want = 2 + subdirs[i]
			if i != int(Root) && names[i] != 1 {
				return fmt.Sprintf("directory %d has %d names", i, names[i])
			}
		}
		if n.nlink != want {
			return fmt.Sprintf("inode %d: nlink %d, want %d", i, n.nlink, want)
		}
		if n.nlink == 0 && n.opens == 0 {
			return fmt.Sprintf("inode %d: unreachable and not freed", i)
		}
	}
	if uint64(pages) != fs.used {
		return fmt.Sprintf("inodes hold %d pages, used says %d", pages, fs.used)
	}
	return ""
}
