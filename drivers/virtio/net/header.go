package net

import "encoding/binary"

// struct virtio_net_hdr (§5.1.6): with VERSION_1 it always includes
// num_buffers, 12 bytes, on both queues.
const hdrLen = 12

// Header flags and GSO types.
const (
	hdrFNeedsCsum = 1
	hdrFDataValid = 2
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

// offload turns a received header into metadata for the caller
// (§5.1.6.4): flags it does not know are ignored, and csum_start/offset
// are only meaningful with NEEDS_CSUM (§5.1.6.4.2).
func (h *netHdr) offload() Offload {
	o := Offload{
		DataValid: h.flags&hdrFDataValid != 0,
		NeedsCsum: h.flags&hdrFNeedsCsum != 0,
		GSO:       GSOType(h.gsoType &^ gsoECN),
		ECN:       h.gsoType&gsoECN != 0,
	}
	if o.NeedsCsum {
		o.CsumStart, o.CsumOffset = h.csumStart, h.csumOffset
	}
	if o.GSO != GSONone {
		o.HdrLen, o.GSOSize = h.hdrLen, h.gsoSize
	}
	return o
}
