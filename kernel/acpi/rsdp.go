package acpi

// Lengths of the RSDP: ACPI 1.0's, and 2.0's with the XSDT.
const (
	rsdpLen = 20
	xsdpLen = 36
)

// FindRSDP returns the RSDP's address: hint when the loader gave one (PVH
// does) and it is valid, else the first valid one in the first KiB of the
// EBDA or in the BIOS area 0xe0000-0xfffff, on 16-byte boundaries, as
// ACPI specifies for PC firmware.
func FindRSDP(mem Memory, hint uint64) (uint64, error) {
	if hint != 0 {
		if validRSDP(mem, hint) {
			return hint, nil
		}
		return 0, ErrNoRSDP
	}
	if p, ok := mem.Bytes(0x40e, 2); ok {
		if ebda := uint64(le.Uint16(p)) << 4; ebda != 0 {
			if a, ok := scanRSDP(mem, ebda, ebda+1024); ok {
				return a, nil
			}
		}
	}
	if a, ok := scanRSDP(mem, 0xe0000, 0x100000); ok {
		return a, nil
	}
	return 0, ErrNoRSDP
}

func scanRSDP(mem Memory, start, end uint64) (uint64, bool) {
	for a := start; a+rsdpLen <= end; a += 16 {
		if validRSDP(mem, a) {
			return a, true
		}
	}
	return 0, false
}

// validRSDP checks the signature and the checksums (ACPI 1.0's over 20
// bytes, and 2.0's over the length it gives).
func validRSDP(mem Memory, a uint64) bool {
	r, ok := mem.Bytes(a, rsdpLen)
	if !ok || string(r[:8]) != "RSD PTR " || sum(r) != 0 {
		return false
	}
	if r[15] < 2 {
		return true
	}
	x, ok := mem.Bytes(a, xsdpLen)
	if !ok {
		return false
	}
	n := uint64(le.Uint32(x[20:]))
	if n < xsdpLen || n > 4096 {
		return false
	}
	x, ok = mem.Bytes(a, n)
	return ok && sum(x) == 0
}
