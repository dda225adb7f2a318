package e1000test

import (
	"encoding/binary"

	"warren.dev/drivers/ether"
)

// putsum sums frame[start:end] (end inclusive; 0 means the end of the
// frame) and stores the complement at at, as the transmit checksum
// offload does (§3.3.6).
func putsum(frame []byte, start, at, end int) bool {
	if end == 0 || end >= len(frame) {
		end = len(frame) - 1
	}
	if start > end || at+2 > len(frame) {
		return false
	}
	binary.BigEndian.PutUint16(frame[at:], ^ether.Fold(ether.Sum(frame[start:end+1], 0)))
	return true
}

// frameLayout finds the IPv4 header and the TCP or UDP header of a
// frame, as the receive checksum offload does.
type frameLayout struct {
	l3, l4   int
	ipv4     bool
	proto    byte
	fragment bool
}

func parse(frame []byte) (fl frameLayout, ok bool) {
	if len(frame) < 14 {
		return fl, false
	}
	fl.l3 = 14
	et := binary.BigEndian.Uint16(frame[12:])
	if et == 0x8100 && len(frame) >= 18 {
		fl.l3 = 18
		et = binary.BigEndian.Uint16(frame[16:])
	}
	if et != 0x0800 || len(frame) < fl.l3+20 || frame[fl.l3]>>4 != 4 {
		return fl, false
	}
	ihl := int(frame[fl.l3]&0xF) * 4
	total := int(binary.BigEndian.Uint16(frame[fl.l3+2:]))
	if ihl < 20 || total < ihl || fl.l3+total > len(frame) {
		return fl, false
	}
	fl.ipv4 = true
	fl.l4 = fl.l3 + ihl
	fl.proto = frame[fl.l3+9]
	fl.fragment = binary.BigEndian.Uint16(frame[fl.l3+6:])&0x3FFF != 0
	return fl, true
}

// l4Valid checks a TCP or UDP checksum over IPv4.
func l4Valid(frame []byte, fl frameLayout) bool {
	total := int(binary.BigEndian.Uint16(frame[fl.l3+2:]))
	seg := frame[fl.l4 : fl.l3+total]
	acc := ether.Sum(frame[fl.l3+12:fl.l3+20], uint64(fl.proto)+uint64(len(seg)))
	return ether.Fold(ether.Sum(seg, acc)) == 0xFFFF
}
