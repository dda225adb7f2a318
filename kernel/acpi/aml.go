package acpi

// The little of AML (ACPI 6.4, section 20) the scans for \_S5_ and for
// virtio-mmio devices read: name declarations, packages, buffers, devices
// and integer constants. Nothing here interprets AML.
const (
	amlNameOp  = 0x08
	amlRoot    = '\\'
	amlBuffer  = 0x11
	amlPackage = 0x12
	amlString  = 0x0d
	amlExtOp   = 0x5b // DeviceOp is ExtOpPrefix amlDevice
	amlDevice  = 0x82
	amlZero    = 0x00
	amlOne     = 0x01
	amlByte    = 0x0a
	amlWord    = 0x0b
	amlDWord   = 0x0c
	amlQWord   = 0x0e
	amlNameLen = 4 // a NameSeg
)

// pkgLength decodes the PkgLength at the start of p: the length it gives
// (which counts the PkgLength's own bytes) and how many bytes it takes.
func pkgLength(p []byte) (length, n int, ok bool) {
	if len(p) == 0 {
		return 0, 0, false
	}
	n = 1 + int(p[0]>>6)
	if n == 1 {
		return int(p[0] & 0x3f), 1, true
	}
	if len(p) < n {
		return 0, 0, false
	}
	length = int(p[0] & 0x0f)
	for i := 1; i < n; i++ {
		length |= int(p[i]) << (4 + 8*(i-1))
	}
	return length, n, true
}

// amlConst reads one integer constant (Zero, One, or a Byte, Word, DWord
// or QWord constant) and returns the rest of the code.
func amlConst(p []byte) (uint64, []byte, bool) {
	if len(p) == 0 {
		return 0, nil, false
	}
	size := 0
	switch p[0] {
	case amlZero:
		return 0, p[1:], true
	case amlOne:
		return 1, p[1:], true
	case amlByte:
		size = 1
	case amlWord:
		size = 2
	case amlDWord:
		size = 4
	case amlQWord:
		size = 8
	default:
		return 0, nil, false
	}
	if len(p) < 1+size {
		return 0, nil, false
	}
	v := uint64(0)
	for i := size; i >= 1; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v, p[1+size:], true
}
