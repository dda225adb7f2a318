// Package net builds Warren's network stack: gVisor's netstack over the
// NICs the drivers found, configured from the boot command line, with a
// in-program netstack API (net.Listener, net.Conn, net.PacketConn) on top.
package net

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Protocols selects what the stack speaks.
type Protocols uint32

const (
	ProtoIPv4 Protocols = 1 << iota // IPv4 and ARP
	ProtoIPv6                       // IPv6 with NDP, SLAAC and MLD
	ProtoICMP                       // ICMP (ping) sockets; echo replies need none
	ProtoTCP
	ProtoUDP

	AllProtocols = ProtoIPv4 | ProtoIPv6 | ProtoICMP | ProtoTCP | ProtoUDP
)

// Config describes a stack. The zero Config is a stack with every protocol
// and loopback, and NICs with only IPv6 link-local addresses.
type Config struct {
	// Protocols to register; 0 means AllProtocols.
	Protocols Protocols
	// NoLoopback leaves out the loopback interface (127.0.0.1, ::1).
	NoLoopback bool
	// Interfaces configure the NICs given to Start, in order. NICs past
	// the end get no configured address.
	Interfaces []Interface
	// DNS servers known up front; DHCP and router advertisements add more.
	DNS []netip.Addr
	// DHCPTimeout bounds how long Start waits for first leases, in all;
	// 0 means DefaultDHCPTimeout. An interface without one by then goes on
	// without an IPv4 address (its client keeps asking), and Warn is told.
	DHCPTimeout time.Duration
	// Warn, if set, is told of what Start goes on despite: an interface
	// without its first DHCP lease (ErrNoDHCPAnswer).
	Warn func(error)
	// TXQueue, when positive, puts a FIFO queue of that many packets with
	// its own goroutine between the stack and each NIC, so packets reach
	// the driver in batches. 0 writes each packet synchronously.
	TXQueue int
	// NoGSO stops TCP from handing down 64 KiB segments.
	NoGSO bool
	// TCPTimeWait, when positive, replaces netstack's 60-second TIME-WAIT.
	TCPTimeWait time.Duration
	// NoDAD skips IPv6 duplicate address detection, which otherwise holds
	// each new IPv6 address back for a second.
	NoDAD bool
}

// Interface configures one NIC.
type Interface struct {
	Name     string         // "eth0" if empty, counting up
	Addrs    []netip.Prefix // static addresses, IPv4 or IPv6
	Gateways []netip.Addr   // default routers, IPv4 or IPv6
	DHCP     bool           // obtain an IPv4 address by DHCP
	NoSLAAC  bool           // ignore router advertisements
	MTU      int            // 0: the NIC's
}

// maxTXQueue bounds the txqueue= boot option.
const maxTXQueue = 1 << 16

func (c Config) protocols() Protocols {
	if c.Protocols == 0 {
		return AllProtocols
	}
	return c.Protocols
}

// ParseConfig reads the network options among boot command-line tokens:
//
//	ip=ADDR/PREFIX[,ADDR/PREFIX...]   static addresses (IPv4 or IPv6)
//	ip=dhcp                           IPv4 address, routes and DNS by DHCP
//	dhcp_timeout=DURATION             how long ip=dhcp holds the boot back (10s, 500ms)
//	gw=ADDR[,ADDR]                    default gateways
//	dns=ADDR[,ADDR...]                DNS servers
//	txqueue=N                         Config.TXQueue (default 0: none)
//
// They configure the first NIC. Tokens without one of these keys belong to
// others and are ignored. An error names the offending option.
func ParseConfig(tokens []string) (Config, error) {
	var cfg Config
	var ifc Interface
	seen := map[string]bool{}
	for _, tok := range tokens {
		key, val, ok := strings.Cut(tok, "=")
		if key != "ip" && key != "gw" && key != "dns" && key != "dhcp_timeout" && key != "txqueue" {
			continue
		}
		if !ok || val == "" {
			return Config{}, fmt.Errorf("net: option %q needs a value", tok)
		}
		if seen[key] {
			return Config{}, fmt.Errorf("net: option %s given twice (%q)", key, tok)
		}
		seen[key] = true
		var err error
		switch key {
		case "ip":
			err = parseIP(&ifc, val)
		case "gw":
			ifc.Gateways, err = parseAddrs(val)
		case "dns":
			cfg.DNS, err = parseAddrs(val)
		case "dhcp_timeout":
			cfg.DHCPTimeout, err = time.ParseDuration(val)
			if err != nil || cfg.DHCPTimeout <= 0 {
				err = fmt.Errorf("%q is not a positive duration such as 10s or 500ms", val)
			}
		case "txqueue":
			cfg.TXQueue, err = strconv.Atoi(val)
			if err != nil || cfg.TXQueue < 0 || cfg.TXQueue > maxTXQueue {
				err = fmt.Errorf("%q is not a packet count from 0 to %d", val, maxTXQueue)
			}
		}
		if err != nil {
			return Config{}, fmt.Errorf("net: option %q: %v", tok, err)
		}
	}
	if seen["dhcp_timeout"] && !ifc.DHCP {
		return Config{}, errors.New("net: option dhcp_timeout= needs ip=dhcp")
	}
	for _, gw := range ifc.Gateways {
		if err := checkGateway(ifc, gw); err != nil {
			return Config{}, fmt.Errorf("net: option gw=%s: %v", gw, err)
		}
	}
	if seen["ip"] || seen["gw"] {
		cfg.Interfaces = []Interface{ifc}
	}
	return cfg, nil
}

func parseIP(ifc *Interface, val string) error {
	if val == "dhcp" {
		ifc.DHCP = true
		return nil
	}
	for _, s := range strings.Split(val, ",") {
		if !strings.Contains(s, "/") {
			return fmt.Errorf("%q has no /PREFIX length", s)
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("%q is not ADDR/PREFIX", s)
		}
		a := p.Addr()
		if a.Zone() != "" || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
			return fmt.Errorf("%q cannot be an interface address", s)
		}
		if a.Is4In6() {
			return fmt.Errorf("%q is an IPv4-mapped address; write it as IPv4", s)
		}
		ifc.Addrs = append(ifc.Addrs, p)
	}
	return nil
}

func parseAddrs(val string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range strings.Split(val, ",") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address", s)
		}
		if a.IsUnspecified() || a.IsMulticast() || a.Is4In6() {
			return nil, fmt.Errorf("%q is not a usable unicast address", s)
		}
		out = append(out, a)
	}
	return out, nil
}

// checkGateway insists that an IPv4 gateway is on a configured network,
// which is where a typo usually shows. IPv6 routers are usually link-local.
func checkGateway(ifc Interface, gw netip.Addr) error {
	if !gw.Is4() || ifc.DHCP {
		return nil
	}
	var have4 bool
	for _, p := range ifc.Addrs {
		if p.Addr().Is4() {
			have4 = true
			if p.Masked().Contains(gw) {
				return nil
			}
		}
	}
	if !have4 {
		return fmt.Errorf("no IPv4 address (ip=) to reach it from")
	}
	return fmt.Errorf("not on the network of any ip= address")
}
