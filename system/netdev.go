package system

import (
	"fmt"
	"os"

	"warren.dev/boot/multiboot"
	"warren.dev/drivers/e1000"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/drivers/pci"
	"warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/nics"
)

// startNetwork finds the NICs on the PCI bus, opens their drivers and
// starts the default network stack, configured from the boot command line
// (ip=, gw=, dns=). Without a NIC there is no network and nothing to do;
// a failure is reported and the program runs without one.
func startNetwork() {
	p := kernelhw.Platform()
	var found []link.NIC
	for _, d := range pci.Scan(pci.PortConfig{}) {
		nic, err := openNIC(p, d)
		if err != nil {
			fmt.Fprintf(os.Stderr, "warren: network: %v: %v\n", d.Address, err)
			continue
		}
		if nic != nil {
			found = append(found, nic)
		}
	}
	if len(found) == 0 {
		return
	}
	if _, err := net.StartDefault(cmdlineTokens(), found); err != nil {
		fmt.Fprintf(os.Stderr, "warren: network: %v\n", err)
	}
}

// openNIC opens the driver for a supported network device, or returns
// nil for any other device.
func openNIC(p hw.Platform, d pci.Device) (link.NIC, error) {
	switch {
	case e1000.Supports(d.VendorID, d.DeviceID):
		return openE1000(p, d)
	}
	return nil, nil
}

// openE1000 maps BAR 0 and routes the legacy interrupt line.
func openE1000(p hw.Platform, d pci.Device) (link.NIC, error) {
	bar, ok := d.BAR(0)
	if !ok || bar.Kind == pci.IO {
		return nil, fmt.Errorf("e1000 without a memory BAR 0")
	}
	regs, err := p.Mapper.MapMMIO(bar.Addr, bar.Size)
	if err != nil {
		return nil, err
	}
	irq, err := p.Interrupts.Line(d.InterruptLine)
	if err != nil {
		return nil, err
	}
	d.EnableMemory()
	d.EnableBusMaster()
	dev, err := e1000.Open(regs, p.DMA, irq, e1000.Options{DeviceID: d.DeviceID, AllMulticast: true})
	if err != nil {
		return nil, err
	}
	return nics.NewE1000(dev), nil
}

// cmdlineTokens splits the boot command line, as the kernel does.
func cmdlineTokens() []string {
	b, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return nil
	}
	var toks []string
	for rest := b; ; {
		var tok []byte
		tok, rest = multiboot.NextToken(rest)
		if len(tok) == 0 {
			return toks
		}
		n, _ := multiboot.Unquote(tok, tok)
		toks = append(toks, string(tok[:n]))
	}
}
