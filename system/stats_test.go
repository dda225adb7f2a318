package system

import (
	"errors"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/drivers/e1000"
	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/kernel/statsabi"
	wnet "warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
	"warren.dev/system/statpage"
)

func TestStatsOption(t *testing.T) {
	for _, c := range []struct {
		tokens []string
		port   uint16
		bad    bool
	}{
		{nil, 0, false},
		{[]string{"ip=dhcp", "warren.stats=9100"}, 9100, false},
		{[]string{"warren.stats=1", "warren.stats=65535"}, 65535, false},
		{[]string{"--", "warren.stats=9100"}, 0, false}, // a program argument
		{[]string{"warren.stats=0"}, 0, true},
		{[]string{"warren.stats=65536"}, 0, true},
		{[]string{"warren.stats="}, 0, true},
		{[]string{"warren.stats=http"}, 0, true},
	} {
		port, err := statsOption(c.tokens)
		if port != c.port || (err != nil) != c.bad {
			t.Errorf("statsOption(%q) = %d, %v; want %d, error %v", c.tokens, port, err, c.port, c.bad)
		}
	}
}

func TestWriteKernelStats(t *testing.T) {
	read := func(c *statsabi.Counters) error {
		c.Syscalls, c.Traps, c.SockCopyBytes = 7, 9, 1<<40
		c.ByNr[unix.SYS_FUTEX] = 5
		c.ByNr[statsabi.SysStats] = 2
		c.ByNr[999] = 1
		return nil
	}
	var p statpage.Page
	writeStats(&p, read, nil)
	m, err := statpage.Parse(string(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{
		"kernel.Syscalls": 7, "kernel.Traps": 9, "kernel.SockCopyBytes": 1 << 40, "kernel.Wakeups": 0,
		"kernel.syscall.futex": 5, "kernel.syscall.warren_stats": 2, "kernel.syscall.999": 1,
		"program.GOMAXPROCS": uint64(runtime.GOMAXPROCS(0)),
	}
	for name, v := range want {
		if got, ok := m[name]; !ok || got != v {
			t.Errorf("%s = %d (listed %v), want %d", name, got, ok, v)
		}
	}
	// Every scalar counter is listed, only the calls made, and the setting.
	scalars := reflect.TypeFor[statsabi.Counters]().NumField() - 1
	if len(m) != scalars+3+1 {
		t.Errorf("%d lines, want %d scalars, 3 calls and GOMAXPROCS:\n%s", len(m), scalars, p.Bytes())
	}

	var q statpage.Page
	writeStats(&q, func(*statsabi.Counters) error { return errors.New("ENOSYS") }, nil)
	if m, err := statpage.Parse(string(q.Bytes())); err != nil || len(m) != 1 || !strings.Contains(string(q.Bytes()), "# kernel counters: ENOSYS") {
		t.Errorf("page without kernel counters: %q (%v)", q.Bytes(), err)
	}
}

func TestWriteNetStats(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	defer nb.Close()
	s, err := wnet.Start(wnet.Config{NoDAD: true, Interfaces: []wnet.Interface{{
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")},
	}}}, []link.NIC{na})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var p statpage.Page
	writeNetStats(&p, s)
	m, err := statpage.Parse(string(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	name := s.Links()[0].Name()
	for _, c := range []string{"netstack.TCP.Retransmits", "netstack.TCP.Timeouts", "netstack.TCP.SegmentsSent",
		"nic." + name + ".link.RxPackets", "nic." + name + ".link.TxPackets"} {
		if _, ok := m[c]; !ok {
			t.Errorf("no %s in\n%s", c, p.Bytes())
		}
	}
}

// TestWriteStruct flattens the drivers' counters, nested ones included.
func TestWriteStruct(t *testing.T) {
	var p statpage.Page
	writeStruct(&p, "nic.eth0.driver", reflect.ValueOf(vnet.Stats{TX: vnet.Counters{Packets: 3}, TXStallKicks: 2}))
	writeStruct(&p, "nic.eth1.driver", reflect.ValueOf(e1000.Stats{Interrupts: 4}))
	m, err := statpage.Parse(string(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]uint64{
		"nic.eth0.driver.TX.Packets": 3, "nic.eth0.driver.RX.Dropped": 0, "nic.eth0.driver.TXStallKicks": 2,
		"nic.eth0.driver.TXWaitKicks": 0, "nic.eth1.driver.Interrupts": 4, "nic.eth1.driver.TxRingFull": 0,
	} {
		if got, ok := m[name]; !ok || got != v {
			t.Errorf("%s = %d (listed %v), want %d", name, got, ok, v)
		}
	}
}
