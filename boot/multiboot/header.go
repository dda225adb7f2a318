package multiboot

import "encoding/binary"

// The Multiboot header of an image (specification §3.1), as a loader
// finds it.
const (
	HeaderMagic     = 0x1BADB002
	HeaderSearch    = 8192 // the header must lie in the image's first 8 KiB
	HeaderFieldsEnd = 0x20 // magic … entry_addr: what a loader reads
)

// FindHeader returns the file offset of the header a loader takes in
// image: the first magic, at 4-byte alignment and with its fields in the
// first 8 KiB, whose flags and checksum sum with it to zero.
func FindHeader(image []byte) (int, bool) {
	le := binary.LittleEndian
	for off := 0; off+HeaderFieldsEnd <= min(len(image), HeaderSearch); off += 4 {
		magic, flags, sum := le.Uint32(image[off:]), le.Uint32(image[off+4:]), le.Uint32(image[off+8:])
		if magic == HeaderMagic && magic+flags+sum == 0 {
			return off, true
		}
	}
	return 0, false
}

// HideHeaders spoils the checksum of every header FindHeader finds in
// image, so that no Multiboot loader accepts it, and returns how many it
// spoiled. The magic and fields stay for the kernel, which reads them at
// the address its entry ran from. QEMU's -kernel takes a Multiboot header
// over a PVH note: this is how an image is booted through PVH there.
func HideHeaders(image []byte) int {
	n := 0
	for off, ok := FindHeader(image); ok; off, ok = FindHeader(image) {
		binary.LittleEndian.PutUint32(image[off+8:], 0) // flags are never -magic
		n++
	}
	return n
}
