package kernel

import "encoding/binary"

// The image is loaded as one block from imageBase (the ELF headers come
// first: the Multiboot load address is the first segment's). Its program
// headers say which pages are code, read-only data and writable data.

const imageBase = 0x100000

var imageStart, imageEnd uint64

// bootTablePages follow the image (tools/build reserves them in the
// Multiboot header's bss_end).
const bootTablePages = 3

// readImageSegments parses the loaded ELF header's PT_LOAD entries.
//
// Context: kernel (no allocation, no pointer stores).
func readImageSegments() {
	parseImageSegments(physBytes(imageBase, pageSize))
}

// parseImageSegments fills imageSegs from an ELF64 header and its program
// headers in hdr (they must fit in it).
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
	imageEnd += bootTablePages * pageSize
	return nImageSegs > 0
}
