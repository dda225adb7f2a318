package sockets

import (
	"slices"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// iface is one network interface as Linux describes it, for netlink
// dumps and the SIOCGIF* ioctls.
type iface struct {
	index int32
	name  string
	mac   []byte
	mtu   uint32
	flags uint32 // IFF_*
	arp   uint16 // ARPHRD_*
	addrs []tcpip.AddressWithPrefix
}

// Linux's ARPHRD_* values for netstack's hardware types.
const (
	arphrdEther    = 1
	arphrdLoopback = 772
	arphrdNone     = 0xfffe
)

// interfaces snapshots netstack's NICs, by index.
func (l *Layer) interfaces() []iface {
	all := l.ns.AllAddresses()
	var out []iface
	for id, info := range l.ns.NICInfo() {
		f := iface{index: int32(id), name: info.Name, mtu: info.MTU, mac: []byte(info.LinkAddress)}
		if info.Flags.Up {
			f.flags |= unix.IFF_UP
		}
		if info.Flags.Running {
			f.flags |= unix.IFF_RUNNING | unix.IFF_LOWER_UP
		}
		if info.Flags.Promiscuous {
			f.flags |= unix.IFF_PROMISC
		}
		switch {
		case info.Flags.Loopback || info.ARPHardwareType == header.ARPHardwareLoopback:
			f.flags |= unix.IFF_LOOPBACK
			f.arp = arphrdLoopback
			f.mac = make([]byte, 6)
		case info.ARPHardwareType == header.ARPHardwareEther:
			f.flags |= unix.IFF_BROADCAST | unix.IFF_MULTICAST
			f.arp = arphrdEther
		default:
			f.arp = arphrdNone
		}
		for _, pa := range all[id] {
			// Netstack lists the limited broadcast address among an
			// IPv4 interface's own; Linux does not.
			if a := pa.AddressWithPrefix.Address; a.Unspecified() || a == header.IPv4Broadcast {
				continue
			}
			f.addrs = append(f.addrs, pa.AddressWithPrefix)
		}
		// IPv4 first, as Linux lists them.
		slices.SortStableFunc(f.addrs, func(a, b tcpip.AddressWithPrefix) int { return a.Address.Len() - b.Address.Len() })
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b iface) int { return int(a.index - b.index) })
	return out
}

// ifaceByName finds an interface, or returns false.
func (l *Layer) ifaceByName(name string) (iface, bool) {
	for _, f := range l.interfaces() {
		if f.name == name {
			return f, true
		}
	}
	return iface{}, false
}

func (l *Layer) ifaceByIndex(index int32) (iface, bool) {
	for _, f := range l.interfaces() {
		if f.index == index {
			return f, true
		}
	}
	return iface{}, false
}

// nicName names NIC id, or returns "".
func (l *Layer) nicName(id int32) string {
	f, _ := l.ifaceByIndex(id)
	return f.name
}
