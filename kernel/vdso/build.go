package vdso

import "encoding/binary"

var le = binary.LittleEndian

// Build writes the vDSO image for syms into buf, which the kernel will map
// at virtual address base (page aligned), and returns the image size.
// Each symbol is exported as a global function of version LINUX_2.6 whose
// address, as the Go runtime computes it, is exactly Symbol.Addr.
//
// Context: kernel (no allocation, no pointer stores).
func Build(buf []byte, base uint64, syms []Symbol) (n int, err error) {
	l, err := plan(syms, len(buf))
	if err != nil {
		return 0, err
	}
	if base%pageSize != 0 || base+uint64(l.size) < base {
		return 0, ErrBadBase
	}
	b := buf[:l.size]
	clear(b)
	writeHeaders(b, base, &l)
	writeStrings(b, &l, syms)
	writeSymbols(b, &l, syms)
	writeHash(b, &l, syms)
	writeVersions(b, &l)
	writeDynamic(b, base, &l)
	writeSections(b, base, &l)
	return l.size, nil
}

func writeHeaders(b []byte, base uint64, l *layout) {
	copy(b, "\x7fELF\x02\x01\x01") // 64-bit, little endian, version 1, SysV ABI
	le.PutUint16(b[16:], etDyn)
	le.PutUint16(b[18:], emX86_64)
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehdrSize) // e_phoff
	le.PutUint64(b[40:], uint64(l.shdr))
	le.PutUint16(b[52:], ehdrSize)
	le.PutUint16(b[54:], phdrSize)
	le.PutUint16(b[56:], 2)
	le.PutUint16(b[58:], shdrSize)
	le.PutUint16(b[60:], numSections)
	le.PutUint16(b[62:], secShstrtab)

	// The runtime takes the first PT_LOAD for the load offset and
	// PT_DYNAMIC (by file offset) for the dynamic table.
	putPhdr(b[ehdrSize:], ptLoad, pfR|pfX, 0, base, uint64(l.size), pageSize)
	putPhdr(b[ehdrSize+phdrSize:], ptDynamic, pfR, uint64(l.dynamic),
		base+uint64(l.dynamic), numDyn*dynSize, 8)
}

func putPhdr(p []byte, typ, flags uint32, off, vaddr, size, align uint64) {
	le.PutUint32(p[0:], typ)
	le.PutUint32(p[4:], flags)
	le.PutUint64(p[8:], off)
	le.PutUint64(p[16:], vaddr)
	le.PutUint64(p[24:], vaddr) // p_paddr
	le.PutUint64(p[32:], size)  // p_filesz
	le.PutUint64(p[40:], size)  // p_memsz
	le.PutUint64(p[48:], align)
}

// writeStrings fills .dynstr: "", SOName, Version, then the symbol names in
// order (symbol i's name offset is recomputed by writeSymbols).
func writeStrings(b []byte, l *layout, syms []Symbol) {
	s := b[l.dynstr:]
	copy(s[l.soname:], SOName)
	copy(s[l.version:], Version)
	off := l.version + len(Version) + 1
	for _, sym := range syms {
		copy(s[off:], sym.Name)
		off += len(sym.Name) + 1
	}
	copy(b[l.shstrtab:], shstrtab)
}

// writeSymbols fills .dynsym (entry 0 is the null symbol) and .gnu.version:
// every exported symbol carries version index 2, LINUX_2.6.
func writeSymbols(b []byte, l *layout, syms []Symbol) {
	name := l.version + len(Version) + 1
	for i, sym := range syms {
		e := b[l.dynsym+(i+1)*symSize:]
		le.PutUint32(e[0:], uint32(name))
		e[4] = stbGlobal<<4 | sttFunc
		le.PutUint16(e[6:], shnAbs)
		le.PutUint64(e[8:], sym.Addr) // load offset is 0: st_value is the address
		le.PutUint16(b[l.versym+(i+1)*2:], versionIndex)
		name += len(sym.Name) + 1
	}
}

// writeHash fills the SysV hash table: nbucket, nchain, buckets, chains.
// Each symbol is pushed on the front of its bucket's chain.
func writeHash(b []byte, l *layout, syms []Symbol) {
	h := b[l.hash:]
	le.PutUint32(h[0:], uint32(l.nbucket))
	le.PutUint32(h[4:], uint32(l.nsym))
	bucket := h[8:]
	chain := h[8+4*l.nbucket:]
	for i, sym := range syms {
		idx := uint32(i + 1)
		bo := 4 * int(elfHash(sym.Name)%uint32(l.nbucket))
		le.PutUint32(chain[4*idx:], le.Uint32(bucket[bo:]))
		le.PutUint32(bucket[bo:], idx)
	}
}

// writeVersions fills .gnu.version_d with two definitions: index 1 names
// the object itself (VER_FLG_BASE, skipped by the runtime) and index 2 is
// LINUX_2.6, the version the runtime matches by hash and name.
func writeVersions(b []byte, l *layout) {
	d := b[l.verdef:]
	putVerdef(d, verFlgBase, 1, elfHash(SOName), verdefSize+verdauxSize, uint32(l.soname))
	putVerdef(d[verdefSize+verdauxSize:], 0, versionIndex, elfHash(Version), 0, uint32(l.version))
}

func putVerdef(d []byte, flags, ndx uint16, hash, next, name uint32) {
	le.PutUint16(d[0:], 1) // vd_version
	le.PutUint16(d[2:], flags)
	le.PutUint16(d[4:], ndx)
	le.PutUint16(d[6:], 1) // vd_cnt: one name
	le.PutUint32(d[8:], hash)
	le.PutUint32(d[12:], verdefSize) // vd_aux: the Verdaux follows
	le.PutUint32(d[16:], next)
	le.PutUint32(d[verdefSize:], name) // vda_name; vda_next stays 0
}

// writeDynamic fills .dynamic; address-valued entries hold real virtual
// addresses because the load offset is 0.
func writeDynamic(b []byte, base uint64, l *layout) {
	d := b[l.dynamic:]
	at := func(off int) uint64 { return base + uint64(off) }
	put := func(i int, tag int64, val uint64) {
		le.PutUint64(d[i*dynSize:], uint64(tag))
		le.PutUint64(d[i*dynSize+8:], val)
	}
	put(0, dtHash, at(l.hash))
	put(1, dtStrtab, at(l.dynstr))
	put(2, dtSymtab, at(l.dynsym))
	put(3, dtStrsz, uint64(l.strsz))
	put(4, dtSyment, symSize)
	put(5, dtSoname, uint64(l.soname))
	put(6, dtVersym, at(l.versym))
	put(7, dtVerdef, at(l.verdef))
	put(8, dtVerdefnum, 2)
	put(9, dtNull, 0)
}

// writeSections fills the section headers; the runtime ignores them but
// debug/elf, readelf and gdb need them to find .dynsym and versions.
func writeSections(b []byte, base uint64, l *layout) {
	s := b[l.shdr:]
	sec := func(i int, typ uint32, off, size int, link, info uint32, align, entsize uint64) {
		e := s[i*shdrSize:]
		le.PutUint32(e[0:], shName[i])
		le.PutUint32(e[4:], typ)
		addr := uint64(0)
		if typ != shtStrtab || i == secDynstr {
			le.PutUint64(e[8:], shfAlloc)
			addr = base + uint64(off)
		}
		le.PutUint64(e[16:], addr)
		le.PutUint64(e[24:], uint64(off))
		le.PutUint64(e[32:], uint64(size))
		le.PutUint32(e[40:], link)
		le.PutUint32(e[44:], info)
		le.PutUint64(e[48:], align)
		le.PutUint64(e[56:], entsize)
	}
	sec(secHash, shtHash, l.hash, 4*(2+l.nbucket+l.nsym), secDynsym, 0, 8, 4)
	sec(secDynsym, shtDynsym, l.dynsym, symSize*l.nsym, secDynstr, 1, 8, symSize)
	sec(secDynstr, shtStrtab, l.dynstr, l.strsz, 0, 0, 1, 0)
	sec(secVersym, shtVersym, l.versym, 2*l.nsym, secDynsym, 0, 2, 2)
	sec(secVerdef, shtVerdef, l.verdef, 2*(verdefSize+verdauxSize), secDynstr, 2, 8, 0)
	sec(secDynamic, shtDynamic, l.dynamic, numDyn*dynSize, secDynstr, 0, 8, dynSize)
	sec(secShstrtab, shtStrtab, l.shstrtab, len(shstrtab), 0, 0, 1, 0)
}
