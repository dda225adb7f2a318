package acpi

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
	_, n, ok := pkgLength(p[1:])
	if !ok || len(p) < 1+n+1 || p[1+n] < 2 {
		return 0, 0, false
	}
	p = p[1+n+1:] // past PackageOp, PkgLength and NumElements
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
	v, rest, ok := amlConst(p)
	if !ok || v > 7 {
		return 0, nil, false
	}
	return uint8(v), rest, true
}
