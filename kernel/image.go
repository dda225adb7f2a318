package kernel

import (
	"encoding/binary"

	"warren.dev/mm/pagetable"
)

// The image is loaded as one block from imageBase (the ELF headers come
// first: the Multiboot load address is the first segment's). Its program
// headers say which pages are code, read-only data and writable data.

const imageBase = 0x100000

// imageStart..imageEnd is the physical memory the boot loader reserved
// for the image (the Multiboot header's load_addr..bss_end_addr).
// tailStart..tailEnd is the end of the image's bss that the loader did
// not reserve: large zero arrays (crypto's 32 MiB entropy scratch buffer
// is one) that Go expects to cost nothing until touched. Their pages are
// backed on first touch, like mmap memory.
var imageStart, imageEnd, tailStart, tailEnd uint64

// Multiboot header fields read back from the loaded image.
const (
	mbMagic        = 0x1BADB002
	mbBssEndOff    = 0x18
	mbTailStartOff = 0x4c
)

// readImageSegments parses the loaded ELF header's PT_LOAD entries.
//
// Context: kernel (no allocation, no pointer stores).
func readImageSegments() {
	parseImageSegments(physBytes(imageBase, pageSize))
}

// parseImageSegments fills imageSegs from an ELF64 header and its program
// headers at the start of hdr, and the header fields after them.
func parseImageSegments(hdr []byte) bool {
	le := binary.LittleEndian
	if len(hdr) < 64 || string(hdr[:4]) != "\x7fELF" || hdr[4] != 2 {
		return false
	}
	phoff, phentsize, phnum := le.Uint64(hdr[0x20:]), uint64(le.Uint16(hdr[0x36:])), uint64(le.Uint16(hdr[0x38:]))
	if phentsize < 56 || phoff > uint64(len(hdr)) || phnum > (uint64(len(hdr))-phoff)/phentsize {
		return false
	}
	nImageSegs = 0
	imageStart, imageEnd = ^uint64(0), 0
	for i := uint64(0); i < phnum; i++ {
		ph := hdr[phoff+i*phentsize:]
		const ptLoad, pfX, pfW = 1, 1, 2
		if le.Uint32(ph[0:]) != ptLoad || nImageSegs == len(imageSegs) {
			continue
		}
		flags, vaddr, memsz := le.Uint32(ph[4:]), le.Uint64(ph[16:]), le.Uint64(ph[40:])
		s := &imageSegs[nImageSegs]
		s.start = vaddr &^ (pageSize - 1)
		s.end = (vaddr + memsz + pageSize - 1) &^ (pageSize - 1)
		s.writable = flags&pfW != 0
		s.exec = flags&pfX != 0
		nImageSegs++
		imageStart = min(imageStart, s.start)
		imageEnd = max(imageEnd, s.end)
	}
	tailEnd = imageEnd
	return nImageSegs > 0 && readHeaderFields(hdr)
}

// readHeaderFields finds the Multiboot header in the image's first 8 KiB
// (the loader found it there) and reads what tools/build recorded.
func readHeaderFields(img []byte) bool {
	le := binary.LittleEndian
	for off := 0; off+0x60 <= len(img) && off < 8192; off += 4 {
		m, fl, ck := le.Uint32(img[off:]), le.Uint32(img[off+4:]), le.Uint32(img[off+8:])
		if m != mbMagic || m+fl+ck != 0 {
			continue
		}
		imageEnd = uint64(le.Uint32(img[off+mbBssEndOff:]))
		tailStart = uint64(le.Uint32(img[off+mbTailStartOff:]))
		if tailStart == 0 || tailStart > tailEnd {
			tailStart = tailEnd
		}
		return imageEnd > imageStart
	}
	return false
}

// inTail reports whether va lies in the demand-paged end of the bss.
func inTail(va uint64) bool { return va >= tailStart && va < tailEnd }

// backTail maps a zeroed frame at the tail page holding va, unless one is
// there already; false when memory is exhausted.
//
// Context: kernel (no allocation, no pointer stores).
func backTail(va uint64) bool {
	page := va &^ (pageSize - 1)
	if _, _, _, ok := kernelTables.Lookup(page); ok {
		return true
	}
	pa, ok := physFrames.Alloc()
	if !ok {
		return false
	}
	clear(physBytes(pa, pageSize))
	if kernelTables.Map(page, pa, pageSize, pagetable.Present|pagetable.Writable|pagetable.User|pagetable.NoExecute) != nil {
		physFrames.Free(pa)
		return false
	}
	return true
}
