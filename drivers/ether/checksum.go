package ether

import "encoding/binary"

// The Internet checksum (RFC 1071), the one the drivers, their device
// models and the link layer compute: the ones'-complement sum of
// big-endian 16-bit words. A running sum is kept unfolded in a uint64,
// which cannot overflow for any frame, and folded once at the end.

// Sum adds b to the running sum acc. An odd final byte is the high byte
// of a word padded with zero, so only the last piece of a longer run may
// have an odd length (Summer takes pieces of any length).
func Sum(b []byte, acc uint64) uint64 {
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// Fold reduces a running sum to 16 bits with end-around carries: 0 only
// for a sum of 0. The checksum to store is its complement.
func Fold(acc uint64) uint16 {
	for acc > 0xFFFF {
		acc = acc>>16 + acc&0xFFFF
	}
	return uint16(acc)
}

// Summer sums a byte stream that arrives in pieces of any length.
type Summer struct {
	acc uint64
	odd bool // an odd number of bytes so far: the next byte is a low byte
}

// Add adds the next piece of the stream.
func (s *Summer) Add(b []byte) {
	if len(b) == 0 {
		return
	}
	if s.odd {
		s.acc += uint64(b[0])
		b = b[1:]
		s.odd = false
	}
	s.acc = Sum(b, s.acc)
	s.odd = len(b)%2 == 1
}

// Fold is the folded sum of the stream so far.
func (s *Summer) Fold() uint16 { return Fold(s.acc) }
