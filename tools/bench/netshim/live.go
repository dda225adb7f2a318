package net

import (
	"encoding/binary"
	"encoding/hex"
	stdnet "net"
	"net/netip"
	"os"
	"strings"

	"warren.dev/net/netinfo"
)

// Live and InterfaceState are warren.dev/net's: the interfaces as the
// kernel has them.
type (
	Live           = netinfo.Live
	InterfaceState = netinfo.InterfaceState
)

// Live describes the interfaces, their addresses and the IPv4 default
// routes, as the kernel has them now.
func (s *Stack) Live() Live {
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
