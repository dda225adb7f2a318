package vdso

// ELF64 constants and record sizes used by the image. debug/elf has them
// too, but importing it would pull its allocating parser into the kernel.
const (
	ehdrSize    = 64
	phdrSize    = 56
	shdrSize    = 64
	symSize     = 24
	dynSize     = 16
	verdefSize  = 20
	verdauxSize = 8

	etDyn    = 3
	emX86_64 = 62

	ptLoad    = 1
	ptDynamic = 2
	pfX       = 1
	pfR       = 4

	shtStrtab  = 3
	shtHash    = 5
	shtDynamic = 6
	shtDynsym  = 11
	shtVerdef  = 0x6ffffffd
	shtVersym  = 0x6fffffff
	shfAlloc   = 2

	dtNull       = 0
	dtHash       = 4
	dtStrtab     = 5
	dtSymtab     = 6
	dtStrsz      = 10
	dtSyment     = 11
	dtSoname     = 14
	dtVersym     = 0x6ffffff0
	dtVerdef     = 0x6ffffffc
	dtVerdefnum  = 0x6ffffffd
	verFlgBase   = 1
	shnAbs       = 0xfff1
	stbGlobal    = 1
	sttFunc      = 2
	pageSize     = 4096
	versionIndex = 2 // index of the "LINUX_2.6" definition; 1 is the file itself
)

// Section header indexes, in file order.
const (
	secNull = iota
	secHash
	secDynsym
	secDynstr
	secVersym
	secVerdef
	secDynamic
	secShstrtab
	numSections
)

// shstrtab is the section-name table; shName holds each name's offset.
const shstrtab = "\x00.hash\x00.dynsym\x00.dynstr\x00.gnu.version\x00.gnu.version_d\x00.dynamic\x00.shstrtab\x00"

var shName = [numSections]uint32{0, 1, 7, 15, 23, 36, 51, 60}

// elfHash is the SysV ELF hash (gABI "Hash Table"), used by DT_HASH buckets
// and by vd_hash of version definitions.
func elfHash(s string) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		h = h<<4 + uint32(s[i])
		g := h & 0xf0000000
		h ^= g >> 24
		h &^= g
	}
	return h
}
