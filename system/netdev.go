package system

import (
	"fmt"
	"os"
	"runtime"

	"warren.dev/boot/multiboot"
	"warren.dev/drivers/e1000"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/drivers/pci"
	"warren.dev/drivers/virtio"
	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/nics"
)

// startNetwork finds the NICs on the PCI bus and the virtio-mmio devices
// the command line places (virtio_mmio.device=), opens their drivers and
// starts the default network stack, configured from the boot command line
// (ip=, dhcp_timeout=, gw=, dns=), and the counters page if
// warren.stats=PORT asks for it. Without a NIC there is no network and
// nothing to do; a failure is reported and the program runs without one,
// and DHCP getting no answer in time is reported and the program runs
// without an IPv4 address.
func startNetwork() {
	tokens := cmdlineTokens()
	startStats(tokens, startStack(tokens))
}

// startStack starts the default stack over the NICs found, or returns
// nil.
func startStack(tokens []string) *net.Stack {
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
	found = append(found, mmioNICs(p, tokens)...)
	if len(found) == 0 {
		return nil
	}
	report := func(err error) { fmt.Fprintf(os.Stderr, "warren: network: %v\n", err) }
	s, err := net.StartDefault(tokens, found, report)
	if err != nil {
		report(err)
	}
	return s
}

// openNIC opens the driver for a supported network device, or returns
// nil for any other device.
func openNIC(p hw.Platform, d pci.Device) (link.NIC, error) {
	switch {
	case e1000.Supports(d.VendorID, d.DeviceID):
		return openE1000(p, d)
	case d.VendorID == virtio.PCIVendorID && (d.DeviceID == virtio.PCIDeviceIDBase+vnet.DeviceID || d.DeviceID == virtioNetTransitional):
		return openVirtioNet(p, d)
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

// virtioNetTransitional is the PCI device ID of a transitional
// virtio-net device, which QEMU's virtio-net-pci is on a PCI bus; it has
// the modern interface too.
const virtioNetTransitional = 0x1000

// openVirtioNet sets up the modern virtio-pci transport and MSI-X (or
// the INTx line without it).
func openVirtioNet(p hw.Platform, d pci.Device) (link.NIC, error) {
	var caps []virtio.Cap
	for _, c := range d.VendorCapabilities() {
		if vc, err := virtio.ReadCap(configReader{d}, int(c.Offset)); err == nil {
			caps = append(caps, vc)
		}
	}
	bars := func(i int) (hw.Regs, uint64, error) {
		bar, ok := d.BAR(i)
		if !ok || bar.Kind == pci.IO {
			return nil, 0, fmt.Errorf("BAR %d is not memory", i)
		}
		regs, err := p.Mapper.MapMMIO(bar.Addr, bar.Size)
		return regs, bar.Size, err
	}
	d.EnableMemory()
	d.EnableBusMaster()
	t, err := virtio.NewPCI(caps, bars)
	if err != nil {
		return nil, err
	}
	cfg := virtioNetConfig(p, t)
	if m, ok := d.MSIX(); ok {
		if bar, err := m.TableBAR(); err == nil {
			if m.Table, err = p.Mapper.MapMMIO(bar.Addr, bar.Size); err == nil && m.Enable(nil) == nil {
				d.DisableINTx()
				cfg.MSIX = msixRoutes{m}
			}
		}
	}
	if cfg.MSIX == nil {
		if cfg.Line, err = p.Interrupts.Line(d.InterruptLine); err != nil {
			return nil, err
		}
	}
	return nics.OpenVirtio(cfg)
}

// virtioNetConfig is the driver configuration of a virtio-net device on
// either transport, without its interrupts. Every offload the driver
// knows is taken, receive coalescing (GUEST_TSO) included: a tap backend
// then hands over TCP frames of up to 64 KiB (ether.FeatureRXGSO). A
// multiqueue device gets a queue pair per CPU, as far as it has them.
func virtioNetConfig(p hw.Platform, t *virtio.Transport) vnet.Config {
	return vnet.Config{Transport: t, DMA: p.DMA, Interrupts: p.Interrupts, Pairs: runtime.NumCPU()}
}

// configReader reads a device's configuration space for virtio.
type configReader struct{ d pci.Device }

func (c configReader) ReadConfig32(off int) uint32 { return c.d.Read32(uint8(off)) }

// msixRoutes lets the virtio driver program MSI-X table entries.
type msixRoutes struct{ m pci.MSIX }

func (r msixRoutes) Vectors() int { return r.m.TableSize }

func (r msixRoutes) Route(i int, addr uint64, data uint32) error {
	if err := r.m.SetEntry(i, addr, data); err != nil {
		return err
	}
	return r.m.SetMasked(i, false)
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
