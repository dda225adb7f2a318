package acpi

// headerLen is the length of the header every system description table
// starts with: signature, length, revision, checksum, OEM fields.
const headerLen = 36

// table views the whole table at addr, checking its signature, length and
// checksum.
func table(mem Memory, addr uint64, sig string) ([]byte, error) {
	h, ok := mem.Bytes(addr, headerLen)
	if !ok {
		return nil, ErrRange
	}
	if string(h[:4]) != sig {
		return nil, ErrSignature
	}
	n := uint64(le.Uint32(h[4:]))
	if n < headerLen || n > maxTable {
		return nil, ErrLength
	}
	t, ok := mem.Bytes(addr, n)
	if !ok {
		return nil, ErrRange
	}
	if sum(t) != 0 {
		return nil, ErrChecksum
	}
	return t, nil
}

// sum adds bytes modulo 256: a valid table or RSDP sums to 0.
func sum(b []byte) uint8 {
	var s uint8
	for _, c := range b {
		s += c
	}
	return s
}

// findTable finds the table with signature sig through the RSDP's XSDT
// (64-bit entries) or, before ACPI 2.0, its RSDT (32-bit entries);
// errNotFound if the root table lists none.
func findTable(mem Memory, rsdp uint64, sig string) ([]byte, error) {
	return nthTable(mem, rsdp, sig, 0)
}

// nthTable finds the nth (from 0) table with signature sig, as findTable
// does: there may be several SSDTs.
func nthTable(mem Memory, rsdp uint64, sig string, nth int) ([]byte, error) {
	r, ok := mem.Bytes(rsdp, rsdpLen)
	if !ok {
		return nil, ErrRange
	}
	root, rootSig, entry := uint64(le.Uint32(r[16:])), "RSDT", 4
	if r[15] >= 2 {
		x, ok := mem.Bytes(rsdp, xsdpLen)
		if !ok {
			return nil, ErrRange
		}
		if a := le.Uint64(x[24:]); a != 0 {
			root, rootSig, entry = a, "XSDT", 8
		}
	}
	t, err := table(mem, root, rootSig)
	if err != nil {
		return nil, err
	}
	for e := t[headerLen:]; len(e) >= entry; e = e[entry:] {
		addr := uint64(le.Uint32(e))
		if entry == 8 {
			addr = le.Uint64(e)
		}
		if h, ok := mem.Bytes(addr, 4); ok && string(h) == sig {
			if nth == 0 {
				return table(mem, addr, sig)
			}
			nth--
		}
	}
	return nil, errNotFound
}
