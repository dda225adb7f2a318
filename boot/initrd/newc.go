package initrd

import "golang.org/x/sys/unix"

// The newc format: a 110-byte header of ASCII, then the NUL-terminated
// name, padded to 4 bytes, then the data, padded to 4 bytes. The header is
// the magic and 13 fields of 8 hex digits. "070702" is the same layout with
// a checksum in the last field, which is not checked.
const (
	headerLen = 6 + 13*8
	magic     = "070701"
	magicCRC  = "070702"
	trailer   = "TRAILER!!!"

	// PathMax bounds a name in the archive, with its NUL, as Linux's
	// PATH_MAX bounds a path.
	PathMax = 4096
)

// record is one parsed header with the offsets of its name and data.
type record struct {
	ino, mode, uid, gid, nlink, mtime uint32
	devMajor, devMinor                uint32
	rdevMajor, rdevMinor              uint32
	name                              []byte // up to the first NUL
	nameOff, dataOff, size            int
	next                              int // the following record; may pass the end
}

// parseRecord reads the record at off, which is 4-byte aligned.
func parseRecord(ar []byte, off int) (r record, err error) {
	if len(ar)-off < headerLen {
		return r, ErrTruncated
	}
	h := ar[off : off+headerLen]
	if m := string(h[:6]); m != magic && m != magicCRC {
		return r, ErrMagic
	}
	var f [13]uint32
	for i := range f {
		v, ok := hex32(h[6+8*i : 6+8*i+8])
		if !ok {
			return r, ErrHeader
		}
		f[i] = v
	}
	r.ino, r.mode, r.uid, r.gid, r.nlink, r.mtime = f[0], f[1], f[2], f[3], f[4], f[5]
	r.size = int(f[6])
	r.devMajor, r.devMinor, r.rdevMajor, r.rdevMinor = f[7], f[8], f[9], f[10]
	nameSize := int(f[11])

	if nameSize > PathMax {
		return r, ErrNameTooLong
	}
	r.nameOff = off + headerLen
	if len(ar)-r.nameOff < nameSize {
		return r, ErrTruncated
	}
	n := indexNUL(ar[r.nameOff : r.nameOff+nameSize])
	if n < 0 {
		return r, ErrName
	}
	r.name = ar[r.nameOff : r.nameOff+n]

	r.dataOff = align4(r.nameOff + nameSize)
	if r.size > 0 && (r.dataOff > len(ar) || len(ar)-r.dataOff < r.size) {
		return r, ErrTruncated
	}
	r.next = align4(r.dataOff + r.size)
	if string(r.name) != trailer && !knownType(r.mode) {
		return r, ErrFileType
	}
	return r, nil
}

func hex32(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

func align4(n int) int { return (n + 3) &^ 3 }

func knownType(mode uint32) bool {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR, unix.S_IFLNK, unix.S_IFCHR,
		unix.S_IFBLK, unix.S_IFIFO, unix.S_IFSOCK:
		return true
	}
	return false
}

// reader walks the file records of an archive, or of several concatenated
// ones as Linux accepts them: after a trailer, zero bytes may pad up to the
// next archive.
type reader struct {
	ar   []byte
	off  int
	last bool
}

// next returns the next file record; ok is false at the end of the input.
func (rd *reader) next() (r record, ok bool, err error) {
	for {
		if rd.last { // after a trailer: skip the padding
			for rd.off < len(rd.ar) && rd.ar[rd.off] == 0 {
				rd.off++
			}
		}
		if rd.off >= len(rd.ar) {
			if !rd.last {
				return r, false, ErrNoTrailer
			}
			return r, false, nil
		}
		if rd.off%4 != 0 {
			return r, false, ErrMagic // a header after odd padding
		}
		r, err = parseRecord(rd.ar, rd.off)
		if err != nil {
			return r, false, err
		}
		rd.off = r.next
		rd.last = string(r.name) == trailer
		if !rd.last {
			return r, true, nil
		}
	}
}
