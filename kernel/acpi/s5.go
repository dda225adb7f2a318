package acpi

// AML opcodes and prefixes (ACPI 6.4, section 20) that \_S5_'s package
// uses.
const (
	amlNameOp  = 0x08
	amlRoot    = '\\'
	amlPackage = 0x12
	amlZero    = 0x00
	amlOne     = 0x01
	amlOnes    = 0xff
	amlByte    = 0x0a
	amlWord    = 0x0b
	amlDWord   = 0x0c
	amlQWord   = 0x0e
)

// FindS5 finds the object \_S5_ in AML code and returns the first two
// elements of its package, SLP_TYPa and SLP_TYPb (3-bit values). It
// does not interpret AML: it looks for a name declaration
// (NameOp "_S5_" or NameOp "\_S5_") followed by a package of integer
// constants, which is how firmware writes it.
func FindS5(aml []byte) (a, b uint8, ok bool) {
	for i := 1; i+4 <= len(aml); i++ {
		if string(aml[i:i+4]) != "_S5_" {
			continue
		}
		op := i - 1
		if aml[op] == amlRoot && op > 0 {
			op--
		}
		if aml[op] != amlNameOp {
			continue
		}
		if a, b, ok := s5Package(aml[i+4:]); ok {
			return a, b, true
		}
	}
	return 0, 0, false
}

// s5Package reads a package's first two integer elements.
func s5Package(p []byte) (a, b uint8, ok bool) {
	if len(p) < 2 || p[0] != amlPackage {
		return 0, 0, false
	}
	p = p[1:]
	n := 1 + int(p[0]>>6) // PkgLength: the lead byte's top bits count the bytes that follow
	if len(p) < n+1 || p[n] < 2 {
		return 0, 0, false
	}
	p = p[n+1:] // past PkgLength and NumElements
	a, p, ok = amlInteger(p)
	if !ok {
		return 0, 0, false
	}
	b, _, ok = amlInteger(p)
	return a, b, ok
}

// amlInteger reads one integer constant of at most 3 bits and returns the
// rest of the code.
func amlInteger(p []byte) (uint8, []byte, bool) {
	if len(p) == 0 {
		return 0, nil, false
	}
	size := 0
	switch p[0] {
	case amlZero:
		return 0, p[1:], true
	case amlOne:
		return 1, p[1:], true
	case amlOnes:
		return 0, nil, false
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
	if v > 7 {
		return 0, nil, false
	}
	return uint8(v), p[1+size:], true
}
