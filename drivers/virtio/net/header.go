package net

import (
	"encoding/binary"

	"warren.dev/drivers/ether"
)

// struct virtio_net_hdr (§5.1.6): with VERSION_1 it always includes
// num_buffers, 12 bytes, on both queues.
const hdrLen = 12

// Header flags and GSO types (gso_type).
const (
	hdrFNeedsCsum = 1
	hdrFDataValid = 2
	gsoNone       = 0
	gsoTCPv4      = 1
	gsoTCPv6      = 4
	gsoECN        = 0x80
)

type netHdr struct {
	flags      uint8
	gsoType    uint8
	hdrLen     uint16
	gsoSize    uint16
	csumStart  uint16
	csumOffset uint16
	numBuffers uint16
}

func (h *netHdr) put(b []byte) {
	b = b[:hdrLen]
	b[0], b[1] = h.flags, h.gsoType
	binary.LittleEndian.PutUint16(b[2:], h.hdrLen)
	binary.LittleEndian.PutUint16(b[4:], h.gsoSize)
	binary.LittleEndian.PutUint16(b[6:], h.csumStart)
	binary.LittleEndian.PutUint16(b[8:], h.csumOffset)
	binary.LittleEndian.PutUint16(b[10:], h.numBuffers)
}

func parseHdr(b []byte) netHdr {
	b = b[:hdrLen]
	return netHdr{
		flags:      b[0],
		gsoType:    b[1],
		hdrLen:     binary.LittleEndian.Uint16(b[2:]),
		gsoSize:    binary.LittleEndian.Uint16(b[4:]),
		csumStart:  binary.LittleEndian.Uint16(b[6:]),
		csumOffset: binary.LittleEndian.Uint16(b[8:]),
		numBuffers: binary.LittleEndian.Uint16(b[10:]),
	}
}

// frame turns a received header and the frame's data into the frame the
// caller gets (§5.1.6.4): flags it does not know are ignored, csum_start
// and csum_offset are only meaningful with NEEDS_CSUM (§5.1.6.4.2), and a
// GSO type other than TCP's leaves the frame without one. NEEDS_CSUM says
// the data is intact, as DATA_VALID does: both make CsumValid.
func (h *netHdr) frame(data [][]byte) ether.Frame {
	f := ether.Frame{
		Data:      data,
		NeedsCsum: h.flags&hdrFNeedsCsum != 0,
		CsumValid: h.flags&(hdrFDataValid|hdrFNeedsCsum) != 0,
		ECN:       h.gsoType&gsoECN != 0,
	}
	if f.NeedsCsum {
		f.CsumStart, f.CsumOffset = h.csumStart, h.csumOffset
	}
	switch h.gsoType &^ gsoECN {
	case gsoTCPv4:
		f.GSOType = ether.GSOTCPv4
	case gsoTCPv6:
		f.GSOType = ether.GSOTCPv6
	}
	if h.gsoType&^gsoECN != gsoNone {
		f.HdrLen, f.GSOSize = h.hdrLen, h.gsoSize
	}
	return f
}

// gsoTypes are the header's gso_type values of the frame's GSO types.
var gsoTypes = [...]uint8{ether.GSONone: gsoNone, ether.GSOTCPv4: gsoTCPv4, ether.GSOTCPv6: gsoTCPv6}
