package sockets

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRawICMP: a raw IPv4 ICMP socket sends the echo request it is given
// and reads the peer's echo reply whole, IPv4 header first, as Linux's.
func TestRawICMP(t *testing.T) {
	e := newEnv(t)
	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_RAW|nbcx, unix.IPPROTO_ICMP)
	req := []byte{8, 0, 0, 0, 0x12, 0x34, 0, 1, 'r', 'a', 'w'} // echo request, id 0x1234, seq 1
	binary.BigEndian.PutUint16(req[2:], icmpChecksum(req))
	sa, n := e.sockaddr(netip.AddrPortFrom(addrB, 0), unix.AF_INET)
	if got := e.must(unix.SYS_SENDTO, fd, e.mem(req), uint64(len(req)), 0, sa, n); got != uint64(len(req)) {
		t.Fatalf("sendto sent %d of %d", got, len(req))
	}
	for {
		e.waitEvents(fd, unix.EPOLLIN)
		pkt, errno := e.read(fd, 256)
		if errno == unix.EAGAIN {
			continue
		}
		if errno != 0 || len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != unix.IPPROTO_ICMP {
			t.Fatalf("read %x, %v: want an IPv4 ICMP packet", pkt, errno)
		}
		icmp := pkt[int(pkt[0]&0xf)*4:]
		if icmp[0] == 0 && bytes.Equal(icmp[4:], req[4:]) { // the echo reply
			break
		}
	}
	e.close(fd)
}

// icmpChecksum is the Internet checksum of b.
func icmpChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
