package system

import (
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"warren.dev/kernel"
	"warren.dev/kernel/statsabi"
	wnet "warren.dev/net"
	"warren.dev/net/nics"
	"warren.dev/system/statpage"
)

// The warren.stats=PORT boot option serves the machine's counters as a
// text page (package statpage) on PORT, through the in-program netstack API
// (no system calls of the program's, so serving it disturbs what it
// measures little): the kernel's event counters (kernel.*), netstack's
// tcpip.Stats (netstack.*) and each NIC's link and driver counters
// (nic.NAME.*). Every counter counts from boot; the cost of a load is the
// difference of two readings. One line is a setting, not a counter: the
// program's GOMAXPROCS (program.GOMAXPROCS), which the socket layer may
// raise (procs.go). The program needs no change and knows nothing of it.

const statsOptionName = "warren.stats="

// statsOption finds warren.stats=PORT among the boot tokens: the port,
// or 0 without the option. The kernel has refused a bad value already;
// the check here is for the tests.
func statsOption(tokens []string) (uint16, error) {
	var port uint16
	for _, tok := range tokens {
		if tok == "--" {
			break // program arguments from here on
		}
		v, ok := strings.CutPrefix(tok, statsOptionName)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("boot option %s: want a TCP port, 1 to 65535", tok)
		}
		port = uint16(n)
	}
	return port, nil
}

// startStats serves the counters page on the port the boot command line
// asks for, if it does; s is the default stack, nil without a network.
func startStats(tokens []string, s *wnet.Stack) {
	port, err := statsOption(tokens)
	if err == nil && port != 0 && s == nil {
		err = fmt.Errorf("%s%d: no network to serve the counters on", statsOptionName, port)
	}
	if err == nil && port != 0 {
		var ln *wnet.TCPListener
		if ln, err = s.ListenTCP(netip.AddrPortFrom(netip.Addr{}, port)); err == nil {
			go statpage.Serve(ln, func(p *statpage.Page) { writeStats(p, readKernelStats, s) })
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "warren: stats: %v\n", err)
	}
}

// writeStats writes the page: the kernel's counters as read, then the
// network's when there is a stack.
func writeStats(p *statpage.Page, read func(*statsabi.Counters) error, s *wnet.Stack) {
	p.Comment("Warren's counters since boot, NAME VALUE: kernel.* the kernel's (warren_stats), " +
		"netstack.* gVisor's tcpip.Stats, nic.NAME.link.* frames at the driver boundary, nic.NAME.driver.* the NIC driver's own")
	p.Add("program.GOMAXPROCS", uint64(runtime.GOMAXPROCS(0)))
	var k statsabi.Counters
	if err := read(&k); err != nil {
		p.Comment("kernel counters: %v", err)
	} else {
		writeKernelStats(p, &k)
	}
	if s != nil {
		writeNetStats(p, s)
	}
}

// writeKernelStats writes each kernel counter as kernel.NAME, and the
// system calls made, by name, as kernel.syscall.NAME.
func writeKernelStats(p *statpage.Page, k *statsabi.Counters) {
	v := reflect.ValueOf(k).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Uint64 {
			p.Add("kernel."+v.Type().Field(i).Name, f.Uint())
		}
	}
	for nr, n := range k.ByNr {
		if n == 0 {
			continue
		}
		name := kernel.SyscallName(uint64(nr))
		if name == "unknown" {
			name = strconv.Itoa(nr)
		}
		p.Add("kernel.syscall."+name, n)
	}
}

// writeNetStats writes netstack's counters and each NIC's.
func writeNetStats(p *statpage.Page, s *wnet.Stack) {
	s.EachCounter(func(path string, v uint64) { p.Add("netstack."+path, v) })
	for _, ep := range s.Links() {
		name := "nic." + ep.Name()
		writeStruct(p, name+".link", reflect.ValueOf(ep.Counters()))
		var model string
		var st any
		switch n := ep.NIC().(type) {
		case *nics.Virtio:
			model, st = "virtio-net", n.Device().Stats()
		case *nics.E1000:
			model, st = "e1000", n.Device().Stats()
		default:
			continue
		}
		p.Comment("%s: %s", ep.Name(), model)
		writeStruct(p, name+".driver", reflect.ValueOf(st))
	}
}

// writeStruct writes a struct of unsigned counters as PREFIX.Field,
// nested structs as PREFIX.Outer.Inner, slices as PREFIX.Field.INDEX.
func writeStruct(p *statpage.Page, prefix string, v reflect.Value) {
	for i := range v.NumField() {
		name, f := prefix+"."+v.Type().Field(i).Name, v.Field(i)
		switch f.Kind() {
		case reflect.Struct:
			writeStruct(p, name, f)
		case reflect.Slice:
			for j := range f.Len() {
				if e := f.Index(j); e.CanUint() {
					p.Add(name+"."+strconv.Itoa(j), e.Uint())
				}
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			p.Add(name, f.Uint())
		}
	}
}
