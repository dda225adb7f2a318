package initrd

import "encoding/binary"

// direntHeader is the size of struct linux_dirent64 before d_name: d_ino
// u64, d_off s64, d_reclen u16, d_type u8.
const direntHeader = 19

// EncodeDirent64 writes one Linux struct linux_dirent64 at the start of buf
// and returns its length, d_reclen: the header, the name and its NUL,
// padded with zeros to a multiple of 8. It returns 0, writing nothing, if
// the record does not fit in buf.
//
// Context: kernel (no allocation, no pointer stores).
func EncodeDirent64(buf []byte, ino uint64, off int64, typ uint8, name []byte) (n int) {
	n = (direntHeader + len(name) + 1 + 7) &^ 7
	if n > len(buf) || n > 0xffff {
		return 0
	}
	binary.LittleEndian.PutUint64(buf[0:], ino)
	binary.LittleEndian.PutUint64(buf[8:], uint64(off))
	binary.LittleEndian.PutUint16(buf[16:], uint16(n))
	buf[18] = typ
	copy(buf[direntHeader:], name)
	clear(buf[direntHeader+len(name) : n])
	return n
}
