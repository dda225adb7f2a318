package sockabi

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestServes(t *testing.T) {
	for _, tc := range []struct {
		domain, typ, proto int32
		want               unix.Errno
	}{
		{unix.AF_INET, unix.SOCK_STREAM, 0, 0},
		{unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_UDP, 0},
		{unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_ICMP, 0},
		{unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_ICMP, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_RAW, 0, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP, 0},
		{unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_RAW, 0},
		{unix.AF_INET, unix.SOCK_RAW, 256, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_SEQPACKET, 0, unix.ESOCKTNOSUPPORT},
		{unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE, 0},
		{unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_AUDIT, unix.EPROTONOSUPPORT},
		{unix.AF_UNIX, unix.SOCK_SEQPACKET, 0, 0},
		{unix.AF_UNIX, unix.SOCK_RAW, 0, unix.ESOCKTNOSUPPORT},
		{unix.AF_PACKET, unix.SOCK_RAW, 0, unix.EAFNOSUPPORT},
	} {
		if got := Serves(tc.domain, tc.typ, tc.proto); got != tc.want {
			t.Errorf("Serves(%d, %d, %d) = %v, want %v", tc.domain, tc.typ, tc.proto, got, tc.want)
		}
	}
}
