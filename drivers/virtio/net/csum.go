package net

// csum accumulates an Internet checksum (RFC 1071) over a byte stream
// that may arrive in pieces of any length.
type csum struct {
	sum uint64
	odd bool // an odd number of bytes so far: the next byte is a low byte
}

func (c *csum) add(b []byte) {
	if len(b) == 0 {
		return
	}
	if c.odd {
		c.sum += uint64(b[0])
		b = b[1:]
		c.odd = false
	}
	for len(b) >= 2 {
		c.sum += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		c.sum += uint64(b[0]) << 8
		c.odd = true
	}
}

// final is the checksum to store: the complement of the folded sum, with
// 0 sent as 0xffff, which is the same value in ones' complement and is
// what UDP requires (a zero UDP checksum means "none").
func (c *csum) final() uint16 {
	s := c.sum
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	v := ^uint16(s)
	if v == 0 {
		v = 0xffff
	}
	return v
}
