package qemu_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"warren.dev/qemu"
)

// TestMultiQueue boots the HTTP example at -smp 2 on a two-queue tap
// device with a multiqueue virtio-net, fetches the page on many
// connections (each from a port of its own, which the tap spreads over
// its queues by flow), and checks from the guest's counters that every
// request succeeded and that both receive queues, and both transmit
// queues, carried frames.
func TestMultiQueue(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("tap tests need root to create a network namespace")
	}
	qemu.RequireTools(t, "ip")
	const pairs = 2
	ns, err := qemu.NewNetnsQueues("warren", pairs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	wrapper, err := ns.QEMUWrapper(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := &hostileGuest{guest: bootGuest(t, "examples/httpd", qemu.Machine{
		QEMU:      wrapper,
		CPUs:      pairs,
		Append:    fmt.Sprintf("ip=%s,%s gw=10.0.3.1 warren.stats=%d", qemu.TapGuestV4, qemu.TapGuestV6, statsPort),
		ExtraArgs: qemu.MultiQueueTapArgs("virtio-net-pci", pairs),
	}), ns: ns, model: "virtio-net-pci"}
	g.waitFor("httpd: serving", 2*time.Minute)

	const clients, each = 8, 16
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := g.fetchPage(30 * time.Second); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("GET /: %v", err)
	}

	c, err := g.counters()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"RXQueues", "TXQueues"} {
		var got []string
		for q := range pairs {
			n, name := counter(c, fmt.Sprintf(".driver.%s.%d", dir, q))
			if name == "" {
				t.Fatalf("no counter ending .driver.%s.%d: the driver did not take %d pairs", dir, q, pairs)
			}
			if n == 0 {
				t.Errorf("%s is 0: that queue carried nothing", name)
			}
			got = append(got, fmt.Sprint(n))
		}
		t.Logf("%s: %s frames", dir, strings.Join(got, ", "))
	}
	checkKernelHealthy(t, g.output())
}

// counter finds the counter whose name ends with suffix.
func counter(c map[string]uint64, suffix string) (uint64, string) {
	for k, v := range c {
		if strings.HasSuffix(k, suffix) {
			return v, k
		}
	}
	return 0, ""
}
