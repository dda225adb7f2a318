package net

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	stdnet "net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"
)

// Live describes the interfaces as the kernel has them.
type Live struct {
	Interfaces []InterfaceState
}

// InterfaceState is one interface.
type InterfaceState struct {
	Name     string
	MAC      stdnet.HardwareAddr
	MTU      int
	Up       bool
	Addrs    []netip.Prefix
	Gateways []netip.Addr
}

// liveTTL is how long Live reuses what it read. warren.dev/net's Live is
// an in-memory snapshot of netstack's state; reading the kernel's takes
// two netlink dumps per interface and a /proc file, which would make the
// example's page (it prints Live on every request) cost the Linux guest
// far more than the Warren one.
const liveTTL = time.Second

var live struct {
	sync.Mutex
	at time.Time
	l  Live
}

// Live describes the interfaces, their addresses and the IPv4 default
// routes, as read at most liveTTL ago.
func (s *Stack) Live() Live {
	live.Lock()
	defer live.Unlock()
	if now := time.Now(); now.Sub(live.at) >= liveTTL {
		live.l, live.at = readLive(), now
	}
	return live.l
}

// readLive reads the interfaces from the kernel.
func readLive() Live {
	var l Live
	ifcs, _ := stdnet.Interfaces()
	routes, _ := os.ReadFile("/proc/net/route")
	gws := defaultGateways(string(routes))
	for _, ifc := range ifcs {
		st := InterfaceState{Name: ifc.Name, MAC: ifc.HardwareAddr, MTU: ifc.MTU, Up: ifc.Flags&stdnet.FlagUp != 0, Gateways: gws[ifc.Name]}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*stdnet.IPNet); ok {
				ip, _ := netip.AddrFromSlice(ipn.IP)
				ones, _ := ipn.Mask.Size()
				st.Addrs = append(st.Addrs, netip.PrefixFrom(ip.Unmap(), ones))
			}
		}
		l.Interfaces = append(l.Interfaces, st)
	}
	return l
}

// defaultGateways reads /proc/net/route: the gateways of default routes,
// by interface.
func defaultGateways(table string) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	for _, line := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], binary.LittleEndian.Uint32(b))
		if gw := netip.AddrFrom4(a); !gw.IsUnspecified() {
			out[f[0]] = append(out[f[0]], gw)
		}
	}
	return out
}

// Gateway returns the first default router of the given family (IPv4 when
// v4 is true), or an invalid Addr.
func (l Live) Gateway(v4 bool) netip.Addr {
	for _, ifc := range l.Interfaces {
		for _, gw := range ifc.Gateways {
			if gw.Is4() == v4 {
				return gw
			}
		}
	}
	return netip.Addr{}
}

// String is a short ifconfig-like description, as warren.dev/net prints.
func (l Live) String() string {
	var b strings.Builder
	for _, ifc := range l.Interfaces {
		state := "up"
		if !ifc.Up {
			state = "down"
		}
		fmt.Fprintf(&b, "%s: %s mtu %d", ifc.Name, state, ifc.MTU)
		if len(ifc.MAC) > 0 {
			fmt.Fprintf(&b, " ether %s", ifc.MAC)
		}
		b.WriteByte('\n')
		for _, a := range ifc.Addrs {
			fmt.Fprintf(&b, "    inet %s\n", a)
		}
		for _, g := range ifc.Gateways {
			fmt.Fprintf(&b, "    gateway %s\n", g)
		}
	}
	return b.String()
}
