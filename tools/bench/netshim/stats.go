package net

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Stats holds the kernel's interface counters and memory figures.
type Stats struct {
	NICs        []NICStats
	Mem         MemInfo
	Clocksource string // the kernel's, which decides what reading the time costs
}

// NICStats are one interface's counters from /proc/net/dev.
type NICStats struct {
	Name                 string
	RxBytes, RxPackets   uint64
	RxDropped            uint64
	TxBytes, TxPackets   uint64
	TxDropped            uint64
	RxErrors, TxErrors   uint64
	RxFIFO, TxCollisions uint64
}

// MemInfo is the part of /proc/meminfo the benchmark reads.
type MemInfo struct {
	TotalKB, FreeKB, AvailableKB uint64
}

// UsedKB is memory in use as free(1) counts it: total less available.
func (m MemInfo) UsedKB() uint64 { return m.TotalKB - min(m.AvailableKB, m.TotalKB) }

// Stats reads /proc/net/dev and /proc/meminfo.
func (s *Stack) Stats() Stats {
	dev, _ := os.ReadFile("/proc/net/dev")
	mem, _ := os.ReadFile("/proc/meminfo")
	cs, _ := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	return Stats{NICs: parseNetDev(string(dev)), Mem: parseMeminfo(string(mem)), Clocksource: strings.TrimSpace(string(cs))}
}

// parseNetDev reads /proc/net/dev: two header lines, then
// "name: rx bytes packets errs drop fifo frame compressed multicast
// tx bytes packets errs drop fifo colls carrier compressed".
func parseNetDev(s string) []NICStats {
	var out []NICStats
	for _, line := range strings.Split(s, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 16 {
			continue
		}
		n := func(i int) uint64 { v, _ := strconv.ParseUint(f[i], 10, 64); return v }
		out = append(out, NICStats{
			Name:    strings.TrimSpace(name),
			RxBytes: n(0), RxPackets: n(1), RxErrors: n(2), RxDropped: n(3), RxFIFO: n(4),
			TxBytes: n(8), TxPackets: n(9), TxErrors: n(10), TxDropped: n(11), TxCollisions: n(13),
		})
	}
	return out
}

// parseMeminfo reads the lines "MemTotal: N kB" and the like.
func parseMeminfo(s string) MemInfo {
	var m MemInfo
	for _, line := range strings.Split(s, "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		switch key {
		case "MemTotal":
			m.TotalKB = v
		case "MemFree":
			m.FreeKB = v
		case "MemAvailable":
			m.AvailableKB = v
		}
	}
	return m
}

// String prints the counters and a "meminfo:" line, which the benchmark
// reads.
func (st Stats) String() string {
	var b strings.Builder
	for _, n := range st.NICs {
		fmt.Fprintf(&b, "%s: rx %d pkts %d bytes, dropped %d, errors %d; tx %d pkts %d bytes, dropped %d, errors %d\n",
			n.Name, n.RxPackets, n.RxBytes, n.RxDropped, n.RxErrors, n.TxPackets, n.TxBytes, n.TxDropped, n.TxErrors)
	}
	m := st.Mem
	fmt.Fprintf(&b, "meminfo: MemTotal %d kB, MemFree %d kB, MemAvailable %d kB, used %.1f MiB\n",
		m.TotalKB, m.FreeKB, m.AvailableKB, float64(m.UsedKB())/1024)
	if st.Clocksource != "" {
		fmt.Fprintf(&b, "clocksource: %s\n", st.Clocksource)
	}
	return b.String()
}
