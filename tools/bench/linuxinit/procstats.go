//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"warren.dev/system/statpage"
)

// With -stats PORT, init serves the Linux kernel's counters from /proc as
// a statpage (the format of Warren's warren.stats=PORT), so that the
// benchmark reads the same kind of figures on both sides, before and
// after a load:
//
//	linux.stat.*        /proc/stat: ctxt (context switches), intr (all interrupts), processes, softirq, cpu.* (USER_HZ ticks)
//	linux.interrupts.*  /proc/interrupts summed over CPUs: numbered lines by number, their sum as .device, the others (LOC, RES, ...) by name
//	linux.softirqs.*    /proc/softirqs summed over CPUs
//	linux.snmp.*        /proc/net/snmp (Tcp.OutSegs, Tcp.RetransSegs, ...)
//	linux.netstat.*     /proc/net/netstat (TcpExt.TCPTimeouts, TcpExt.TCPFastRetrans, ...)
//	linux.dev.*         /proc/net/dev per interface (eth0.rx_packets, ...)
//
// Linux has no count of system calls or wake-ups that is on by default;
// the page has none.

// procSources are the files and how each is read.
var procSources = []struct {
	path  string
	parse func(p *statpage.Page, text string) error
}{
	{"/proc/stat", parseStat},
	{"/proc/interrupts", parseInterrupts},
	{"/proc/softirqs", func(p *statpage.Page, text string) error { return parsePerCPU(p, "linux.softirqs.", text) }},
	{"/proc/net/snmp", func(p *statpage.Page, text string) error { return parseSNMP(p, "linux.snmp.", text) }},
	{"/proc/net/netstat", func(p *statpage.Page, text string) error { return parseSNMP(p, "linux.netstat.", text) }},
	{"/proc/net/dev", parseNetDev},
}

// serveStats serves the page on port until the listener fails.
func serveStats(port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
	if err != nil {
		return err
	}
	return statpage.Serve(ln, writeProcStats)
}

// writeProcStats reads every source; one that cannot be read or parsed
// is named in a comment.
func writeProcStats(p *statpage.Page) {
	p.Comment("Linux's counters since boot, NAME VALUE, from /proc (tools/bench/linuxinit)")
	for _, s := range procSources {
		data, err := os.ReadFile(s.path)
		if err == nil {
			err = s.parse(p, string(data))
		}
		if err != nil {
			p.Comment("%s: %v", s.path, err)
		}
	}
}

// parseStat reads /proc/stat's counters: the first number of intr and
// softirq lines is their total.
func parseStat(p *statpage.Page, text string) error {
	cpuFields := []string{"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "cpu":
			for i, v := range f[1:min(len(f), len(cpuFields)+1)] {
				if n, err := strconv.ParseUint(v, 10, 64); err == nil {
					p.Add("linux.stat.cpu."+cpuFields[i], n)
				}
			}
		case "ctxt", "intr", "processes", "softirq":
			n, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a count", f[0], f[1])
			}
			p.Add("linux.stat."+f[0], n)
		}
	}
	return nil
}

// parseInterrupts reads /proc/interrupts: each line's counts summed over
// the CPUs, numbered lines (devices) by number with their sum as
// linux.interrupts.device and what each is in a comment, the others
// (LOC: the local timer, RES, CAL, ...) by name.
func parseInterrupts(p *statpage.Page, text string) error {
	lines := strings.Split(text, "\n")
	if len(lines) == 0 {
		return fmt.Errorf("empty")
	}
	ncpu := len(strings.Fields(lines[0]))
	if ncpu == 0 {
		return fmt.Errorf("no CPU header")
	}
	var device uint64
	for _, line := range lines[1:] {
		label, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		label = strings.TrimSpace(label)
		f := strings.Fields(rest)
		var sum uint64
		i := 0
		for ; i < len(f) && i < ncpu; i++ {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				break
			}
			sum += n
		}
		if i == 0 {
			continue
		}
		if _, err := strconv.Atoi(label); err == nil {
			device += sum
			p.Comment("linux.interrupts.%s: %s", label, strings.Join(f[i:], " "))
		}
		p.Add("linux.interrupts."+label, sum)
	}
	p.Add("linux.interrupts.device", device)
	return nil
}

// parsePerCPU reads a table of a CPU header and NAME: count... lines,
// each summed over the CPUs.
func parsePerCPU(p *statpage.Page, prefix, text string) error {
	lines := strings.Split(text, "\n")
	for _, line := range lines[1:] {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var sum uint64
		for _, v := range strings.Fields(rest) {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a count", strings.TrimSpace(name), v)
			}
			sum += n
		}
		p.Add(prefix+strings.TrimSpace(name), sum)
	}
	return nil
}

// parseSNMP reads /proc/net/snmp or /proc/net/netstat: pairs of lines,
// "Proto: Name Name ..." then "Proto: value value ...", as
// PREFIX.Proto.Name. Negative values (Tcp's MaxConn of -1) are limits,
// not counters, and are left out.
func parseSNMP(p *statpage.Page, prefix, text string) error {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		proto, names, ok1 := strings.Cut(lines[i], ":")
		proto2, values, ok2 := strings.Cut(lines[i+1], ":")
		if !ok1 || !ok2 || proto != proto2 {
			return fmt.Errorf("lines %d and %d are not a header and its values", i+1, i+2)
		}
		nf, vf := strings.Fields(names), strings.Fields(values)
		if len(nf) != len(vf) {
			return fmt.Errorf("%s: %d names, %d values", proto, len(nf), len(vf))
		}
		for j, name := range nf {
			if n, err := strconv.ParseUint(vf[j], 10, 64); err == nil {
				p.Add(prefix+proto+"."+name, n)
			}
		}
	}
	return nil
}

// netDevFields name /proc/net/dev's columns.
var netDevFields = []string{
	"rx_bytes", "rx_packets", "rx_errs", "rx_drop", "rx_fifo", "rx_frame", "rx_compressed", "rx_multicast",
	"tx_bytes", "tx_packets", "tx_errs", "tx_drop", "tx_fifo", "tx_colls", "tx_carrier", "tx_compressed",
}

// parseNetDev reads /proc/net/dev: per interface, linux.dev.IF.FIELD.
func parseNetDev(p *statpage.Page, text string) error {
	for _, line := range strings.Split(text, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.Contains(name, "|") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != len(netDevFields) {
			return fmt.Errorf("%s: %d columns, want %d", strings.TrimSpace(name), len(f), len(netDevFields))
		}
		for j, v := range f {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a count", strings.TrimSpace(name), v)
			}
			p.Add("linux.dev."+strings.TrimSpace(name)+"."+netDevFields[j], n)
		}
	}
	return nil
}
