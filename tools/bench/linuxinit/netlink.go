//go:build linux

package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Route netlink requests, encoded by hand: a header, a fixed message and
// attributes, each padded to 4 bytes.

// nlAttr encodes one rtattr.
func nlAttr(typ uint16, data []byte) []byte {
	b := make([]byte, unix.SizeofRtAttr, nlAlign(unix.SizeofRtAttr+len(data)))
	binary.NativeEndian.PutUint16(b[0:], uint16(unix.SizeofRtAttr+len(data)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, data...)
	return b[:cap(b)]
}

func nlAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// nlMessage encodes a request with header type typ, asking for an ack.
func nlMessage(typ, flags uint16, seq uint32, parts ...[]byte) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN)
	for _, p := range parts {
		b = append(b, p...)
	}
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], flags|unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(b[8:], seq)
	return b
}

// ifInfoMsg encodes struct ifinfomsg.
func ifInfoMsg(index int32, flags, change uint32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	binary.NativeEndian.PutUint32(b[8:], flags)
	binary.NativeEndian.PutUint32(b[12:], change)
	return b
}

// ifAddrMsg encodes struct ifaddrmsg.
func ifAddrMsg(family uint8, prefixLen int, index int32) []byte {
	b := make([]byte, unix.SizeofIfAddrmsg)
	b[0], b[1], b[3] = family, uint8(prefixLen), unix.RT_SCOPE_UNIVERSE
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// rtMsg encodes struct rtmsg for a unicast route in the main table.
func rtMsg(family uint8, dstLen int) []byte {
	b := make([]byte, unix.SizeofRtMsg)
	b[0], b[1] = family, uint8(dstLen)
	b[4], b[5], b[6], b[7] = unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST
	return b
}

func family(a netip.Addr) uint8 {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func linkUpMsg(index int32) []byte {
	return nlMessage(unix.RTM_NEWLINK, 0, 1, ifInfoMsg(index, unix.IFF_UP, unix.IFF_UP))
}

func addAddrMsg(index int32, p netip.Prefix) []byte {
	a := p.Addr().AsSlice()
	return nlMessage(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL, 2,
		ifAddrMsg(family(p.Addr()), p.Bits(), index), nlAttr(unix.IFA_LOCAL, a), nlAttr(unix.IFA_ADDRESS, a))
}

func defaultRouteMsg(index int32, gw netip.Addr) []byte {
	return nlMessage(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, 3,
		rtMsg(family(gw), 0), nlAttr(unix.RTA_GATEWAY, gw.AsSlice()), nlAttr(unix.RTA_OIF, u32(uint32(index))))
}

// nlDo sends a request and waits for the kernel's ack.
func nlDo(msg []byte) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	if err := unix.Bind(fd, sa); err != nil {
		return err
	}
	if err := unix.Sendto(fd, msg, 0, sa); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return err
	}
	return nlAck(buf[:n])
}

// nlAck reads the NLMSG_ERROR reply: error 0 is the ack.
func nlAck(b []byte) error {
	if len(b) < unix.NLMSG_HDRLEN+4 || binary.NativeEndian.Uint16(b[4:]) != unix.NLMSG_ERROR {
		return fmt.Errorf("netlink: unexpected reply % x", b[:min(len(b), 32)])
	}
	if e := int32(binary.NativeEndian.Uint32(b[unix.NLMSG_HDRLEN:])); e != 0 {
		return unix.Errno(-e)
	}
	return nil
}

func ifIndex(name string) (int32, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return int32(ifc.Index), nil
}

func linkUp(name string) error {
	i, err := ifIndex(name)
	if err != nil {
		return err
	}
	if err := nlDo(linkUpMsg(i)); err != nil {
		return fmt.Errorf("%s up: %w", name, err)
	}
	return nil
}

func addAddr(name string, p netip.Prefix) error {
	i, err := ifIndex(name)
	if err != nil {
		return err
	}
	if err := nlDo(addAddrMsg(i, p)); err != nil {
		return fmt.Errorf("%s address %v: %w", name, p, err)
	}
	return nil
}

func addDefaultRoute(name string, gw netip.Addr) error {
	i, err := ifIndex(name)
	if err != nil {
		return err
	}
	if err := nlDo(defaultRouteMsg(i, gw)); err != nil {
		return fmt.Errorf("default route via %v: %w", gw, err)
	}
	return nil
}
