package net

import (
	"net/netip"
	"strings"
	"testing"
)

func TestDefaultGateways(t *testing.T) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0103000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t0003000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	got := defaultGateways(table)
	if len(got["eth0"]) != 1 || got["eth0"][0] != netip.MustParseAddr("10.0.3.1") {
		t.Fatalf("gateways %v", got)
	}
	l := Live{Interfaces: []InterfaceState{{Name: "eth0", MTU: 1500, Up: true, Gateways: got["eth0"],
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.3.2/24")}}}}
	if gw := l.Gateway(true); gw != netip.MustParseAddr("10.0.3.1") || l.Gateway(false).IsValid() {
		t.Errorf("Gateway: %v", gw)
	}
	if want := "eth0: up mtu 1500\n    inet 10.0.3.2/24\n    gateway 10.0.3.1\n"; l.String() != want {
		t.Errorf("String %q, want %q", l.String(), want)
	}
}

func TestStats(t *testing.T) {
	dev := "Inter-|   Receive                                                |  Transmit\n" +
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
		"    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0\n" +
		"  eth0: 5000 40 1 2 0 0 0 0 7000 50 0 3 0 0 0 0\n"
	nics := parseNetDev(dev)
	if len(nics) != 2 || nics[1].Name != "eth0" || nics[1].RxBytes != 5000 || nics[1].RxPackets != 40 || nics[1].RxDropped != 2 ||
		nics[1].TxBytes != 7000 || nics[1].TxPackets != 50 || nics[1].TxDropped != 3 {
		t.Fatalf("parseNetDev: %+v", nics)
	}
	mem := parseMeminfo("MemTotal:         245000 kB\nMemFree:          200000 kB\nMemAvailable:     204040 kB\nBuffers: 0 kB\n")
	if mem.TotalKB != 245000 || mem.FreeKB != 200000 || mem.AvailableKB != 204040 || mem.UsedKB() != 40960 {
		t.Fatalf("parseMeminfo: %+v", mem)
	}
	s := Stats{NICs: nics, Mem: mem, Clocksource: "tsc"}.String()
	if !strings.Contains(s, "meminfo: MemTotal 245000 kB, MemFree 200000 kB, MemAvailable 204040 kB, used 40.0 MiB\nclocksource: tsc\n") {
		t.Errorf("String:\n%s", s)
	}
}
