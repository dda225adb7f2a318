package vdso

import (
	"encoding/binary"
	"testing"
)

// This file ports runtime/vdso_linux.go (vdsoInitFromSysinfoEhdr,
// vdsoFindVersion, vdsoParseSymbols, Go 1.26) onto a byte slice that stands
// for memory at address base, keeping the runtime's control flow so the
// image is checked against what the runtime really does. Out-of-range
// reads panic, which fails the test, where the runtime would crash.

type rtMem struct {
	base uint64
	b    []byte
}

func (m rtMem) u16(a uint64) uint16 { return binary.LittleEndian.Uint16(m.b[a-m.base:]) }
func (m rtMem) u32(a uint64) uint32 { return binary.LittleEndian.Uint32(m.b[a-m.base:]) }
func (m rtMem) u64(a uint64) uint64 { return binary.LittleEndian.Uint64(m.b[a-m.base:]) }
func (m rtMem) cstr(a uint64) string {
	s := m.b[a-m.base:]
	for i, c := range s {
		if c == 0 {
			return string(s[:i])
		}
	}
	panic("unterminated string")
}

// runtime/vdso_linux_amd64.go
var rtLinuxVersion = struct {
	version string
	verHash uint32
}{"LINUX_2.6", 0x3ae75f6}

type rtSymbolKey struct {
	name    string
	symHash uint32
	gnuHash uint32
}

var rtSymbolKeys = []rtSymbolKey{
	{"__vdso_gettimeofday", 0x315ca59, 0xb01bca00},
	{"__vdso_clock_gettime", 0xd35ec75, 0x6e43a318},
	{"__vdso_getrandom", 0x25425d, 0x84a559bf},
}

type rtInfo struct {
	valid                  bool
	loadAddr, loadOffset   uint64
	symtab, symstrings     uint64
	versym, verdef         uint64
	bucket, chain          []uint32
	symOff                 uint32
	isGNUHash              bool
	loadStart, loadEnd     uint64
	hasVersym, hasVerdef   bool
	hasSymtab, hasStrings  bool
	hashAddr, gnuhashAddr  uint64
	hasHash, hasGNUHashTbl bool
}

func rtInitFromSysinfoEhdr(m rtMem, hdr uint64) *rtInfo {
	info := &rtInfo{loadAddr: hdr}
	pt := info.loadAddr + m.u64(hdr+32) // e_phoff
	phnum := m.u16(hdr + 56)
	var foundVaddr bool
	var dyn uint64
	var hasDyn bool
	for i := uint16(0); i < phnum; i++ {
		p := pt + uint64(i)*56
		switch m.u32(p) {
		case 1: // PT_LOAD
			if !foundVaddr {
				foundVaddr = true
				info.loadOffset = info.loadAddr + (m.u64(p+8) - m.u64(p+16))
				info.loadStart = info.loadOffset
				info.loadEnd = info.loadOffset + m.u64(p+40)
			}
		case 2: // PT_DYNAMIC
			dyn = info.loadAddr + m.u64(p+8)
			hasDyn = true
		}
	}
	if !foundVaddr || !hasDyn {
		return info
	}
	for i := uint64(0); m.u64(dyn+16*i) != 0; i++ {
		tag := int64(m.u64(dyn + 16*i))
		p := info.loadOffset + m.u64(dyn+16*i+8)
		switch tag {
		case 5:
			info.symstrings, info.hasStrings = p, true
		case 6:
			info.symtab, info.hasSymtab = p, true
		case 4:
			info.hashAddr, info.hasHash = p, true
		case 0x6ffffef5:
			info.gnuhashAddr, info.hasGNUHashTbl = p, true
		case 0x6ffffff0:
			info.versym, info.hasVersym = p, true
		case 0x6ffffffc:
			info.verdef, info.hasVerdef = p, true
		}
	}
	if !info.hasStrings || !info.hasSymtab || (!info.hasHash && !info.hasGNUHashTbl) {
		return info
	}
	if !info.hasVerdef {
		info.hasVersym = false
	}
	words := func(a uint64, n uint32) []uint32 {
		w := make([]uint32, n)
		for i := range w {
			w[i] = m.u32(a + 4*uint64(i))
		}
		return w
	}
	if info.hasGNUHashTbl {
		g := info.gnuhashAddr
		nbucket := m.u32(g)
		info.symOff = m.u32(g + 4)
		bloomSize := m.u32(g + 8)
		bucketAt := g + 4*uint64(4+bloomSize*2)
		info.bucket = words(bucketAt, nbucket)
		// The runtime's chain is unbounded; read what the image holds.
		end := uint64(len(m.b)) + m.base
		info.chain = words(bucketAt+4*uint64(nbucket), uint32((end-bucketAt)/4)-nbucket)
		info.isGNUHash = true
	} else {
		h := info.hashAddr
		nbucket, nchain := m.u32(h), m.u32(h+4)
		info.bucket = words(h+8, nbucket)
		info.chain = words(h+8+4*uint64(nbucket), nchain)
	}
	info.valid = true
	return info
}

func rtFindVersion(m rtMem, info *rtInfo) int32 {
	if !info.valid {
		return 0
	}
	def := info.verdef
	for {
		if m.u16(def+2)&1 == 0 { // not VER_FLG_BASE
			aux := def + uint64(m.u32(def+12))
			if m.u32(def+8) == rtLinuxVersion.verHash &&
				rtLinuxVersion.version == m.cstr(info.symstrings+uint64(m.u32(aux))) {
				return int32(m.u16(def+4) & 0x7fff)
			}
		}
		next := m.u32(def + 16)
		if next == 0 {
			break
		}
		def += uint64(next)
	}
	return -1
}

func rtParseSymbols(m rtMem, info *rtInfo, version int32) map[string]uint64 {
	found := map[string]uint64{}
	if !info.valid {
		return found
	}
	apply := func(symIndex uint32, k rtSymbolKey) bool {
		sym := info.symtab + 24*uint64(symIndex)
		stInfo := m.b[sym+4-m.base]
		typ, bind := stInfo&0xf, stInfo>>4
		if typ != 2 && typ != 0 || bind != 1 && bind != 2 || m.u16(sym+6) == 0 {
			return false
		}
		if k.name != m.cstr(info.symstrings+uint64(m.u32(sym))) {
			return false
		}
		if info.hasVersym && version != 0 &&
			int32(m.u16(info.versym+2*uint64(symIndex))&0x7fff) != version {
			return false
		}
		found[k.name] = info.loadOffset + m.u64(sym+8)
		return true
	}
	if !info.isGNUHash {
		for _, k := range rtSymbolKeys {
			if len(info.bucket) > 0 {
				for chain := info.bucket[k.symHash%uint32(len(info.bucket))]; chain != 0; chain = info.chain[chain] {
					if apply(chain, k) {
						break
					}
				}
			}
		}
		return found
	}
	for _, k := range rtSymbolKeys {
		symIndex := info.bucket[k.gnuHash%uint32(len(info.bucket))]
		if symIndex < info.symOff {
			continue
		}
		for ; ; symIndex++ {
			hash := info.chain[symIndex-info.symOff]
			if hash|1 == k.gnuHash|1 && apply(symIndex, k) {
				break
			}
			if hash&1 != 0 {
				break
			}
		}
	}
	return found
}

// rtLookup runs the runtime's vdsoauxv(AT_SYSINFO_EHDR, base) sequence.
func rtLookup(t *testing.T, base uint64, img []byte) (map[string]uint64, *rtInfo, int32) {
	t.Helper()
	m := rtMem{base: base, b: img}
	info := rtInitFromSysinfoEhdr(m, base)
	if !info.valid {
		t.Fatal("runtime port: vdsoInitFromSysinfoEhdr rejected the image")
	}
	ver := rtFindVersion(m, info)
	return rtParseSymbols(m, info, ver), info, ver
}
