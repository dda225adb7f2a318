package sockets

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Socket addresses as the caller's struct sockaddr_*: family in host
// order, port in network order.
const (
	sizeofSockaddrInet4 = 16 // sockaddr_in
	sizeofSockaddrInet6 = 28 // sockaddr_in6
	minSockaddrInet6    = 24 // sockaddr_in6 without sin6_scope_id (RFC 2133)
	sizeofSockaddrNL    = 12 // sockaddr_nl
	maxAddrLen          = 128
)

// readSockaddr copies in the address a caller passed by pointer and
// length: EINVAL for a negative or oversized length, as Linux's
// move_addr_to_kernel.
func readSockaddr(c caller, addr uint64, length uint64) ([]byte, unix.Errno) {
	n := int32(length)
	if n < 0 || n > maxAddrLen {
		return nil, unix.EINVAL
	}
	b := make([]byte, n)
	if e := c.CopyIn(addr, b); e != 0 {
		return nil, e
	}
	return b, 0
}

// writeSockaddr copies sa out to addr for a caller whose buffer length is
// at lenAddr: it writes at most that many bytes and stores sa's full
// length back, as Linux's move_addr_to_user.
func writeSockaddr(c caller, sa []byte, addr, lenAddr uint64) unix.Errno {
	var lb [4]byte
	if e := c.CopyIn(lenAddr, lb[:]); e != 0 {
		return e
	}
	n := int32(binary.LittleEndian.Uint32(lb[:]))
	if n < 0 {
		return unix.EINVAL
	}
	if int(n) > len(sa) {
		n = int32(len(sa))
	}
	if e := c.CopyOut(addr, sa[:n]); e != 0 {
		return e
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(sa)))
	return c.CopyOut(lenAddr, lb[:])
}

// family reads the family field of a socket address.
func family(sa []byte) (int, unix.Errno) {
	if len(sa) < 2 {
		return 0, unix.EINVAL
	}
	return int(binary.LittleEndian.Uint16(sa)), 0
}

// decodeInet decodes an AF_INET or AF_INET6 address; its family comes
// back so callers can match it to the socket's. All-zero addresses are
// netstack's empty address (any).
func decodeInet(sa []byte) (tcpip.FullAddress, int, unix.Errno) {
	fam, e := family(sa)
	if e != 0 {
		return tcpip.FullAddress{}, 0, e
	}
	switch fam {
	case unix.AF_INET:
		if len(sa) < sizeofSockaddrInet4 {
			return tcpip.FullAddress{}, fam, unix.EINVAL
		}
		fa := tcpip.FullAddress{Port: binary.BigEndian.Uint16(sa[2:])}
		if a := tcpip.AddrFrom4Slice(sa[4:8]); a != header.IPv4Any {
			fa.Addr = a
		}
		return fa, fam, 0
	case unix.AF_INET6:
		if len(sa) < minSockaddrInet6 {
			return tcpip.FullAddress{}, fam, unix.EINVAL
		}
		fa := tcpip.FullAddress{Port: binary.BigEndian.Uint16(sa[2:])}
		if a := tcpip.AddrFrom16Slice(sa[8:24]); a != header.IPv6Any {
			fa.Addr = a
		}
		if len(sa) >= sizeofSockaddrInet6 && header.IsV6LinkLocalUnicastAddress(fa.Addr) {
			fa.NIC = tcpip.NICID(binary.LittleEndian.Uint32(sa[24:]))
		}
		return fa, fam, 0
	case unix.AF_UNSPEC:
		return tcpip.FullAddress{}, fam, 0
	}
	return tcpip.FullAddress{}, fam, unix.EAFNOSUPPORT
}

// encodeInet encodes fa as a socket of family fam sees it: IPv4 peers of
// an IPv6 socket appear as v4-mapped addresses.
func encodeInet(fam int, fa tcpip.FullAddress) []byte {
	if fam == unix.AF_INET {
		b := make([]byte, sizeofSockaddrInet4)
		binary.LittleEndian.PutUint16(b, unix.AF_INET)
		binary.BigEndian.PutUint16(b[2:], fa.Port)
		if fa.Addr.Len() == header.IPv4AddressSize {
			copy(b[4:8], fa.Addr.AsSlice())
		}
		return b
	}
	b := make([]byte, sizeofSockaddrInet6)
	binary.LittleEndian.PutUint16(b, unix.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], fa.Port)
	switch fa.Addr.Len() {
	case header.IPv4AddressSize:
		b[18], b[19] = 0xff, 0xff
		copy(b[20:24], fa.Addr.AsSlice())
	case header.IPv6AddressSize:
		copy(b[8:24], fa.Addr.AsSlice())
		if header.IsV6LinkLocalUnicastAddress(fa.Addr) {
			binary.LittleEndian.PutUint32(b[24:], uint32(fa.NIC))
		}
	}
	return b
}

// v4Mapped turns an IPv4 address given to an IPv6 socket into the
// v4-mapped form netstack's dual-stack endpoints take.
func v4Mapped(fa tcpip.FullAddress) tcpip.FullAddress {
	var a [16]byte
	a[10], a[11] = 0xff, 0xff
	copy(a[12:], fa.Addr.AsSlice())
	fa.Addr = tcpip.AddrFrom16(a)
	return fa
}

// encodeNetlink encodes a netlink address (port id pid, multicast groups).
func encodeNetlink(pid, groups uint32) []byte {
	b := make([]byte, sizeofSockaddrNL)
	binary.LittleEndian.PutUint16(b, unix.AF_NETLINK)
	binary.LittleEndian.PutUint32(b[4:], pid)
	binary.LittleEndian.PutUint32(b[8:], groups)
	return b
}

// decodeNetlink decodes a netlink address.
func decodeNetlink(sa []byte) (pid, groups uint32, e unix.Errno) {
	fam, e := family(sa)
	if e != 0 {
		return 0, 0, e
	}
	if fam != unix.AF_NETLINK {
		return 0, 0, unix.EINVAL
	}
	if len(sa) < sizeofSockaddrNL {
		return 0, 0, unix.EINVAL
	}
	return binary.LittleEndian.Uint32(sa[4:]), binary.LittleEndian.Uint32(sa[8:]), 0
}
