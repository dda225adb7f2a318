package kernel

import (
	"encoding/binary"

	"warren.dev/boot/multiboot"
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

// Boot header fields read back from the loaded image.
const (
	mbBssEndOff    = 0x18
	mbTailStartOff = 0x4c
	mbHeaderLen    = 0x50
)

// parseImageSegments fills imageSegs from an ELF64 header and its program
// headers at the start of hdr, and the extent of the image from the boot
// header.
func parseImageSegments(hdr, bootHeader []byte) bool {
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
	return nImageSegs > 0 && readHeaderFields(bootHeader)
}

// readHeaderFields reads what tools/build recorded in the boot header the
// entry code ran from. Its Multiboot magic is checked, not its checksum: a
// PVH boot under QEMU runs a copy whose checksum is spoiled (QEMU takes a
// valid Multiboot header over the PVH note).
func readHeaderFields(h []byte) bool {
	le := binary.LittleEndian
	if len(h) < mbHeaderLen || le.Uint32(h) != multiboot.HeaderMagic {
		return false
	}
	imageEnd = uint64(le.Uint32(h[mbBssEndOff:]))
	tailStart = uint64(le.Uint32(h[mbTailStartOff:]))
	if tailStart == 0 || tailStart > tailEnd {
		tailStart = tailEnd
	}
	return imageEnd > imageStart
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
