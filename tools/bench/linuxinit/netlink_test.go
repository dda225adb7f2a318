//go:build linux

package main

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNetlinkEncoding(t *testing.T) {
	msg := addAddrMsg(2, netip.MustParsePrefix("10.0.3.2/24"))
	want := []byte{
		40, 0, 0, 0, unix.RTM_NEWADDR, 0, 0x05, 0x06, 2, 0, 0, 0, 0, 0, 0, 0, // header: len, type, REQUEST|ACK|EXCL|CREATE, seq 2
		unix.AF_INET, 24, 0, unix.RT_SCOPE_UNIVERSE, 2, 0, 0, 0, // ifaddrmsg
		8, 0, unix.IFA_LOCAL, 0, 10, 0, 3, 2, // IFA_LOCAL
		8, 0, unix.IFA_ADDRESS, 0, 10, 0, 3, 2, // IFA_ADDRESS
	}
	if !bytes.Equal(msg, want) {
		t.Errorf("addAddrMsg:\n got % x\nwant % x", msg, want)
	}
	if a := nlAttr(1, []byte{1, 2, 3}); len(a) != 8 || a[0] != 7 || a[7] != 0 {
		t.Errorf("nlAttr pads to 4 bytes: % x", a)
	}
	if m := linkUpMsg(3); len(m) != 32 || m[16] != unix.AF_UNSPEC || m[20] != 3 || m[24] != unix.IFF_UP || m[28] != unix.IFF_UP {
		t.Errorf("linkUpMsg: % x", m)
	}
	if m := defaultRouteMsg(3, netip.MustParseAddr("10.0.3.1")); len(m) != 44 || m[16] != unix.AF_INET || m[17] != 0 || m[20] != unix.RT_TABLE_MAIN {
		t.Errorf("defaultRouteMsg: % x", m)
	}
	ack := make([]byte, 36)
	ack[4] = unix.NLMSG_ERROR
	if err := nlAck(ack); err != nil {
		t.Errorf("ack: %v", err)
	}
	ack[16] = 0xef // -17: EEXIST
	ack[17], ack[18], ack[19] = 0xff, 0xff, 0xff
	if err := nlAck(ack); err != unix.EEXIST {
		t.Errorf("error reply: %v", err)
	}
}

// TestNetlinkConfigure configures the loopback of a fresh network
// namespace, as init does eth0.
func TestNetlinkConfigure(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The thread stays locked: it leaves the namespace by dying.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			t.Errorf("unshare: %v", err)
			return
		}
		if err := linkUp("lo"); err != nil {
			t.Error(err)
		}
		if err := addAddr("lo", netip.MustParsePrefix("10.9.9.1/24")); err != nil {
			t.Error(err)
		}
		if err := addDefaultRoute("lo", netip.MustParseAddr("10.9.9.254")); err != nil {
			t.Error(err)
		}
		ifc, err := net.InterfaceByName("lo")
		if err != nil || ifc.Flags&net.FlagUp == 0 {
			t.Errorf("lo: %+v, %v", ifc, err)
		}
		addrs, _ := ifc.Addrs()
		found := false
		for _, a := range addrs {
			found = found || a.String() == "10.9.9.1/24"
		}
		if !found {
			t.Errorf("lo addresses %v", addrs)
		}
		routes, _ := os.ReadFile("/proc/thread-self/net/route")
		if !strings.Contains(string(routes), "lo\t00000000\tFE09090A") {
			t.Errorf("no default route:\n%s", routes)
		}
		errc <- addAddr("lo", netip.MustParsePrefix("10.9.9.1/24"))
	}()
	<-done
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "exists") {
			t.Errorf("adding the address again: %v", err)
		}
	default:
	}
}
