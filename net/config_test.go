package net

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		tokens []string
		want   Config
	}{
		{nil, Config{}},
		{[]string{"console=ttyS0", "quiet", "--"}, Config{}},
		{[]string{"ip=10.0.2.15/24", "gw=10.0.2.2", "dns=10.0.2.3,1.1.1.1"}, Config{
			Interfaces: []Interface{{
				Addrs:    []netip.Prefix{netip.MustParsePrefix("10.0.2.15/24")},
				Gateways: []netip.Addr{netip.MustParseAddr("10.0.2.2")},
			}},
			DNS: []netip.Addr{netip.MustParseAddr("10.0.2.3"), netip.MustParseAddr("1.1.1.1")},
		}},
		{[]string{"ip=dhcp"}, Config{Interfaces: []Interface{{DHCP: true}}}},
		{[]string{"dhcp_timeout=1m30s", "ip=dhcp"}, Config{DHCPTimeout: 90 * time.Second, Interfaces: []Interface{{DHCP: true}}}},
		{[]string{"txqueue=256"}, Config{TXQueue: 256}},
		{[]string{"txqueue=0"}, Config{}},
		{[]string{"ip=10.0.0.2/8,fd00::2/64", "gw=10.1.2.3,fe80::1"}, Config{
			Interfaces: []Interface{{
				Addrs:    []netip.Prefix{netip.MustParsePrefix("10.0.0.2/8"), netip.MustParsePrefix("fd00::2/64")},
				Gateways: []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fe80::1")},
			}},
		}},
	} {
		got, err := ParseConfig(tc.tokens)
		if err != nil {
			t.Errorf("ParseConfig(%q): %v", tc.tokens, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseConfig(%q) = %+v, want %+v", tc.tokens, got, tc.want)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		tokens []string
		want   string // the error names the option
	}{
		{[]string{"ip=10.0.0.2"}, `"ip=10.0.0.2": "10.0.0.2" has no /PREFIX`},
		{[]string{"ip=10.0.0.300/24"}, `"ip=10.0.0.300/24"`},
		{[]string{"ip=10.0.0.2/33"}, `"ip=10.0.0.2/33"`},
		{[]string{"ip="}, `"ip=" needs a value`},
		{[]string{"ip"}, `"ip" needs a value`},
		{[]string{"ip=0.0.0.0/0"}, "cannot be an interface address"},
		{[]string{"ip=127.0.0.2/8"}, "cannot be an interface address"},
		{[]string{"ip=dchp"}, `"ip=dchp"`},
		{[]string{"gw=10.0.0.1.1"}, `"gw=10.0.0.1.1": "10.0.0.1.1" is not an IP address`},
		{[]string{"ip=10.0.0.2/24", "gw=10.0.1.1"}, "gw=10.0.1.1: not on the network"},
		{[]string{"gw=10.0.1.1"}, "gw=10.0.1.1: no IPv4 address"},
		{[]string{"dns=8.8.8.8,"}, `"dns=8.8.8.8,"`},
		{[]string{"dns=255.255.255.0/24"}, `"dns=255.255.255.0/24"`},
		{[]string{"ip=dhcp", "ip=10.0.0.2/24"}, "ip given twice"},
		{[]string{"ip=dhcp", "dhcp_timeout=5"}, `"dhcp_timeout=5": "5" is not a positive duration such as 10s`},
		{[]string{"ip=dhcp", "dhcp_timeout=-1s"}, `"dhcp_timeout=-1s": "-1s" is not a positive duration`},
		{[]string{"ip=10.0.0.2/24", "dhcp_timeout=5s"}, "dhcp_timeout= needs ip=dhcp"},
		{[]string{"txqueue=-1"}, `"txqueue=-1": "-1" is not a packet count from 0 to 65536`},
		{[]string{"txqueue=lots"}, `"txqueue=lots": "lots" is not a packet count`},
	} {
		_, err := ParseConfig(tc.tokens)
		if err == nil {
			t.Errorf("ParseConfig(%q) succeeded", tc.tokens)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%q) = %q, want it to contain %q", tc.tokens, err, tc.want)
		}
	}
}

func TestStartErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no network protocol", Config{Protocols: ProtoTCP}, "neither IPv4 nor IPv6"},
		{"no transport", Config{Protocols: ProtoIPv4}, "no transport"},
		{"IPv6 address on an IPv4 stack", Config{Protocols: ProtoIPv4 | ProtoUDP, Interfaces: []Interface{{Addrs: []netip.Prefix{netip.MustParsePrefix("fd00::1/64")}}}}, "IPv6 is not enabled"},
		{"DHCP without UDP", Config{Protocols: ProtoIPv4 | ProtoTCP, Interfaces: []Interface{{DHCP: true}}}, "DHCP needs IPv4 and UDP"},
		{"more interfaces than NICs", Config{Interfaces: []Interface{{}, {}}}, "2 interfaces configured but 1 NICs"},
	} {
		na, nb := pairForTest()
		_, err := Start(tc.cfg, na)
		nb.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Start = %v, want %q", tc.name, err, tc.want)
		}
	}
}
