package e1000

import (
	"encoding/binary"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
)

// txContext is a TCP/IP context descriptor's content (§3.3.6): where the
// IP and TCP/UDP checksums start, sit and end, and for TCP segmentation
// the payload length, header length and MSS. The device keeps the last
// one it was given, so an unchanged context is not sent again.
type txContext struct {
	ipcss, ipcso uint8
	ipcse        uint16
	tucss, tucso uint8
	tucse        uint16
	paylen       uint32
	tucmd        uint8
	hdrlen       uint8
	mss          uint16
}

func (t *txRing) writeContext(i int, c *txContext) {
	d := t.desc[i*reg.DescSize : (i+1)*reg.DescSize]
	d[reg.TDESC_IPCSS] = c.ipcss
	d[reg.TDESC_IPCSO] = c.ipcso
	binary.LittleEndian.PutUint16(d[reg.TDESC_IPCSE:], c.ipcse)
	d[reg.TDESC_TUCSS] = c.tucss
	d[reg.TDESC_TUCSO] = c.tucso
	binary.LittleEndian.PutUint16(d[reg.TDESC_TUCSE:], c.tucse)
	binary.LittleEndian.PutUint32(d[reg.TDESC_LENGTH:], c.paylen&reg.TXD_LEN_MASK|reg.TXD_DTYP_C<<reg.TXD_DTYP_SHIFT|uint32(c.tucmd)<<24)
	binary.LittleEndian.PutUint32(d[reg.TDESC_STA:], uint32(c.hdrlen)<<8|uint32(c.mss)<<16)
}

// Header offsets.
const (
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86DD
	etherTypeVLAN = 0x8100
	protoTCP      = 6
	protoUDP      = 17
	ipv4MinLen    = 20
	ipv6Len       = 40
	tcpMinLen     = 20
	udpLen        = 8
	tcpCsumOff    = 16
	udpCsumOff    = 6
	ipv4CsumOff   = 10
)

// l3Offset finds the network header behind the Ethernet header and at
// most one 802.1Q tag.
func l3Offset(frame []byte) (off int, etherType uint16, ok bool) {
	if len(frame) < ethHeaderLen {
		return 0, 0, false
	}
	off, etherType = ethHeaderLen, binary.BigEndian.Uint16(frame[12:])
	if etherType == etherTypeVLAN {
		if len(frame) < ethHeaderLen+vlanTagLen {
			return 0, 0, false
		}
		off, etherType = ethHeaderLen+vlanTagLen, binary.BigEndian.Uint16(frame[16:])
	}
	return off, etherType, true
}

// ipv4Header returns the offset and length of a frame's IPv4 header.
func ipv4Header(frame []byte) (l3, ihl int, ok bool) {
	l3, et, ok := l3Offset(frame)
	if !ok || et != etherTypeIPv4 || len(frame) < l3+ipv4MinLen || frame[l3]>>4 != 4 {
		return 0, 0, false
	}
	ihl = int(frame[l3]&0xF) * 4
	if ihl < ipv4MinLen || len(frame) < l3+ihl {
		return 0, 0, false
	}
	return l3, ihl, true
}

// prepareOffload works out the context descriptor a frame needs and patches
// the headers in head, the frame's first buffer (non-GSO frames are
// wholly in it; GSO headers are, being at most 255 bytes). offload false
// means plain legacy descriptors.
//
// Frames shorter than the 60-byte minimum get their checksums here, in
// software: the device wants 48 bytes before it pads (§3.3.3), the
// driver pads instead, and QEMU's e1000e would count the padding into
// the IP length it rewrites when offloading.
func prepareOffload(f *ether.Frame, head []byte) (ctx txContext, popts uint8, offload bool, err error) {
	if f.GSOType != ether.GSONone {
		return prepareTSO(f, head)
	}
	size := len(head)
	soft := size < minFrameLen
	if f.NeedsCsum {
		start, at := int(f.CsumStart), int(f.CsumStart)+int(f.CsumOffset)
		if start >= size || at+2 > size {
			return ctx, 0, false, ErrFrame
		}
		if soft || at > 0xFF {
			// TUCSS and TUCSO are 8 bits: a transport header this far
			// in (IPv6 extension headers) is summed in software too.
			binary.BigEndian.PutUint16(head[at:], ^ether.Fold(ether.Sum(head[start:], 0)))
		} else {
			ctx.tucss, ctx.tucso = uint8(start), uint8(at)
			popts |= reg.TXD_POPTS_TXSM
		}
	}
	if f.NeedsIPCsum {
		l3, ihl, ok := ipv4Header(head)
		if !ok {
			return ctx, 0, false, ErrFrame
		}
		binary.BigEndian.PutUint16(head[l3+ipv4CsumOff:], 0)
		if soft {
			binary.BigEndian.PutUint16(head[l3+ipv4CsumOff:], ^ether.Fold(ether.Sum(head[l3:l3+ihl], 0)))
		} else {
			ctx.ipcss, ctx.ipcso, ctx.ipcse = uint8(l3), uint8(l3+ipv4CsumOff), uint16(l3+ihl-1)
			ctx.tucmd |= reg.TUCMD_IP
			popts |= reg.TXD_POPTS_IXSM
		}
	}
	if popts == 0 {
		return ctx, 0, false, nil
	}
	ctx.tucmd |= reg.TXD_CMD_DEXT
	return ctx, popts, true, nil
}

// prepareTSO sets up TCP segmentation of a TCP/IPv4 frame (§3.5): the
// device sends PAYLEN payload bytes in MSS-sized segments, each behind a
// copy of the first HDRLEN bytes with the IP total length and ID, the TCP
// sequence number and flags and both checksums fixed up. As §3.5
// requires, the IP total length and checksum start at zero and the TCP
// checksum field holds the pseudo-header sum without a length, which the
// device adds per segment.
func prepareTSO(f *ether.Frame, head []byte) (ctx txContext, popts uint8, offload bool, err error) {
	l3, ihl, ok := ipv4Header(head)
	if !ok || head[l3+9] != protoTCP {
		return ctx, 0, false, ErrFrame
	}
	l4 := l3 + ihl
	if len(head) < l4+tcpMinLen {
		return ctx, 0, false, ErrFrame
	}
	hdrLen := l4 + int(head[l4+12]>>4)*4
	mss := int(f.GSOSize)
	if hdrLen < l4+tcpMinLen || hdrLen > 0xFF || hdrLen > len(head) || f.Len() <= hdrLen ||
		mss == 0 || hdrLen+mss > MaxFrameLen {
		return ctx, 0, false, ErrFrame
	}
	binary.BigEndian.PutUint16(head[l3+2:], 0)
	binary.BigEndian.PutUint16(head[l3+ipv4CsumOff:], 0)
	ph := ether.Sum(head[l3+12:l3+20], protoTCP) // addresses and protocol, no length
	binary.BigEndian.PutUint16(head[l4+tcpCsumOff:], ether.Fold(ph))

	// The frame's length reaches prepareTSO only through PAYLEN, below;
	// head holds just its first buffer.
	ctx = txContext{
		ipcss: uint8(l3), ipcso: uint8(l3 + ipv4CsumOff), ipcse: uint16(l4 - 1),
		tucss: uint8(l4), tucso: uint8(l4 + tcpCsumOff),
		paylen: uint32(f.Len() - hdrLen),
		tucmd:  reg.TUCMD_TCP | reg.TUCMD_IP | reg.TXD_CMD_TSE | reg.TXD_CMD_DEXT,
		hdrlen: uint8(hdrLen),
		mss:    uint16(mss),
	}
	return ctx, reg.TXD_POPTS_IXSM | reg.TXD_POPTS_TXSM, true, nil
}

// SeedChecksum prepares a TCP or UDP frame over IPv4 or IPv6 (behind an
// Ethernet header and at most one 802.1Q tag; IPv6 without extension
// headers) for transmit checksum offload: it writes the pseudo-header sum
// into the checksum field, where stacks that leave checksums to the
// device (gVisor does) put zero, and returns the CsumStart and
// CsumOffset to set with NeedsCsum.
func SeedChecksum(frame []byte) (csumStart, csumOffset uint16, ok bool) {
	l3, et, ok := l3Offset(frame)
	if !ok {
		return 0, 0, false
	}
	var l4, proto int
	var acc uint64
	switch et {
	case etherTypeIPv4:
		_, ihl, ok := ipv4Header(frame)
		if !ok {
			return 0, 0, false
		}
		total := int(binary.BigEndian.Uint16(frame[l3+2:]))
		if total < ihl || l3+total > len(frame) {
			return 0, 0, false
		}
		l4, proto = l3+ihl, int(frame[l3+9])
		acc = ether.Sum(frame[l3+12:l3+20], uint64(total-ihl))
	case etherTypeIPv6:
		if len(frame) < l3+ipv6Len || frame[l3]>>4 != 6 {
			return 0, 0, false
		}
		payload := int(binary.BigEndian.Uint16(frame[l3+4:]))
		if l3+ipv6Len+payload > len(frame) {
			return 0, 0, false
		}
		l4, proto = l3+ipv6Len, int(frame[l3+6])
		acc = ether.Sum(frame[l3+8:l3+40], uint64(payload))
	default:
		return 0, 0, false
	}
	var off int
	switch proto {
	case protoTCP:
		off = tcpCsumOff
	case protoUDP:
		off = udpCsumOff
	default:
		return 0, 0, false
	}
	if l4+off+2 > len(frame) {
		return 0, 0, false
	}
	acc += uint64(proto)
	binary.BigEndian.PutUint16(frame[l4+off:], ether.Fold(acc))
	return uint16(l4), uint16(off), true
}
