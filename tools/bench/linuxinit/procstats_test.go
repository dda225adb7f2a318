//go:build linux

package main

import (
	"os"
	"strings"
	"testing"

	"warren.dev/system/statpage"
)

// parsed runs a parser and reads its page back.
func parsed(t *testing.T, parse func(*statpage.Page, string) error, text string) (map[string]uint64, string) {
	t.Helper()
	var p statpage.Page
	if err := parse(&p, text); err != nil {
		t.Fatalf("parse: %v", err)
	}
	m, err := statpage.Parse(string(p.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Bytes())
	}
	return m, string(p.Bytes())
}

func want(t *testing.T, m map[string]uint64, w map[string]uint64) {
	t.Helper()
	for k, v := range w {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %d (listed %v), want %d", k, got, ok, v)
		}
	}
}

func TestParseStat(t *testing.T) {
	m, _ := parsed(t, parseStat, `cpu  10 1 20 300 4 5 6 0 0 0
cpu0 10 1 20 300 4 5 6 0 0 0
intr 1234 0 9 0 0
ctxt 5678
btime 1700000000
processes 42
procs_running 1
softirq 99 1 2 3
`)
	want(t, m, map[string]uint64{"linux.stat.ctxt": 5678, "linux.stat.intr": 1234, "linux.stat.processes": 42,
		"linux.stat.softirq": 99, "linux.stat.cpu.user": 10, "linux.stat.cpu.idle": 300, "linux.stat.cpu.softirq": 6})
	if _, ok := m["linux.stat.btime"]; ok {
		t.Error("btime is a time, not a counter")
	}
}

func TestParseInterrupts(t *testing.T) {
	m, page := parsed(t, parseInterrupts, `           CPU0       CPU1
  0:         30          2   IO-APIC   2-edge      timer
 24:        100         23   PCI-MSI 49152-edge      virtio0-input.0
 25:          5          0   PCI-MSI 49153-edge      virtio0-output.0
NMI:          0          0   Non-maskable interrupts
LOC:       1000       2000   Local timer interrupts
ERR:          0
MIS:          0
`)
	want(t, m, map[string]uint64{"linux.interrupts.0": 32, "linux.interrupts.24": 123, "linux.interrupts.25": 5,
		"linux.interrupts.device": 160, "linux.interrupts.LOC": 3000, "linux.interrupts.ERR": 0, "linux.interrupts.NMI": 0})
	if !strings.Contains(page, "# linux.interrupts.24: PCI-MSI 49152-edge virtio0-input.0") {
		t.Errorf("no comment naming IRQ 24:\n%s", page)
	}
}

func TestParseSNMP(t *testing.T) {
	parse := func(p *statpage.Page, s string) error { return parseSNMP(p, "linux.snmp.", s) }
	m, _ := parsed(t, parse, `Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens InSegs OutSegs RetransSegs
Tcp: 1 200 120000 -1 3 1000 900 7
Udp: InDatagrams OutDatagrams
Udp: 5 6
`)
	want(t, m, map[string]uint64{"linux.snmp.Tcp.InSegs": 1000, "linux.snmp.Tcp.OutSegs": 900, "linux.snmp.Tcp.RetransSegs": 7, "linux.snmp.Udp.OutDatagrams": 6})
	if _, ok := m["linux.snmp.Tcp.MaxConn"]; ok {
		t.Error("MaxConn -1 listed")
	}
	var p statpage.Page
	for _, bad := range []string{"Tcp: A B\nUdp: 1 2\n", "Tcp: A B\nTcp: 1\n"} {
		if err := parse(&p, bad); err == nil {
			t.Errorf("parseSNMP(%q) accepted", bad)
		}
	}
}

func TestParseNetDev(t *testing.T) {
	m, _ := parsed(t, parseNetDev, `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0: 5000000    4000    0    1    0     0          0         0  6000000    4500    0    0    0     0       0          0
`)
	want(t, m, map[string]uint64{"linux.dev.eth0.rx_packets": 4000, "linux.dev.eth0.tx_packets": 4500, "linux.dev.eth0.rx_drop": 1, "linux.dev.lo.tx_bytes": 100})
}

func TestParseSoftirqs(t *testing.T) {
	parse := func(p *statpage.Page, s string) error { return parsePerCPU(p, "linux.softirqs.", s) }
	m, _ := parsed(t, parse, "                    CPU0       CPU1\n          HI:          0          1\n      NET_RX:        10         20\n")
	want(t, m, map[string]uint64{"linux.softirqs.HI": 1, "linux.softirqs.NET_RX": 30})
}

// TestHostProc reads this machine's /proc as the guest's init would.
func TestHostProc(t *testing.T) {
	for _, s := range procSources {
		data, err := os.ReadFile(s.path)
		if err != nil {
			t.Logf("%s: %v", s.path, err)
			continue
		}
		var p statpage.Page
		if err := s.parse(&p, string(data)); err != nil {
			t.Errorf("%s: %v", s.path, err)
		}
	}
	var p statpage.Page
	writeProcStats(&p)
	m, err := statpage.Parse(string(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"linux.stat.ctxt", "linux.snmp.Tcp.OutSegs", "linux.interrupts.device"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %s on the page", k)
		}
	}
}
