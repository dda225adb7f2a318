// Command msiprobe checks MSI and MSI-X end to end on QEMU's e1000e
// (82574L), which raises an interrupt when software writes its Interrupt
// Cause Set register. For manual runs:
//
//	warren build -o /tmp/m.elf ./drivers/pci/testdata/msiprobe
//	qemu-system-x86_64 -nodefaults -display none -serial stdio -kernel /tmp/m.elf \
//	    -device isa-debug-exit,iobase=0xf4,iosize=4 -nic none -device e1000e
package main

import (
	"fmt"
	"os"
	"time"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/drivers/pci"
)

// 82574 registers (82574 datasheet §10.2).
const (
	regICR  = 0xc0
	regICS  = 0xc8
	regIMS  = 0xd0
	regIMC  = 0xd8
	regIVAR = 0xe4
	icrLSC  = 1 << 2
	icrOthr = 1 << 24
)

func main() {
	p := kernelhw.Platform()
	var dev pci.Device
	found := false
	for _, d := range pci.Scan(pci.PortConfig{}) {
		if d.VendorID == 0x8086 && d.DeviceID == 0x10d3 {
			dev, found = d, true
		}
	}
	if !found {
		fail("no e1000e")
	}
	fmt.Printf("e1000e at %v bars %v caps %v\n", dev.Address, dev.BARs, dev.Capabilities())
	bar, _ := dev.BAR(0)
	regs, err := p.Mapper.MapMMIO(bar.Addr, bar.Size)
	if err != nil {
		fail(err.Error())
	}
	dev.EnableMemory()
	dev.EnableBusMaster()
	dev.DisableINTx()

	// MSI.
	m, ok := dev.MSI()
	if !ok {
		fail("no MSI")
	}
	msg, err := p.Interrupts.AllocMSI()
	if err != nil {
		fail(err.Error())
	}
	if err := m.Enable(msg.Addr, msg.Data); err != nil {
		fail(err.Error())
	}
	regs.Write32(regIMS, icrLSC)
	regs.Write32(regICS, icrLSC)
	wait("msi", msg)
	regs.Read32(regICR)
	regs.Write32(regIMC, ^uint32(0))
	m.Disable()

	// MSI-X: the "other" causes on vector 2.
	x, ok := dev.MSIX()
	if !ok {
		fail("no MSI-X")
	}
	tb, err := x.TableBAR()
	if err != nil {
		fail(err.Error())
	}
	if x.Table, err = p.Mapper.MapMMIO(tb.Addr, tb.Size); err != nil {
		fail(err.Error())
	}
	var msgs []hw.MSI
	for i := 0; i < 3; i++ {
		m, err := p.Interrupts.AllocMSI()
		if err != nil {
			fail(err.Error())
		}
		msgs = append(msgs, m)
	}
	fmt.Printf("msix table %d entries in bar%d+%#x\n", x.TableSize, x.TableBIR, x.TableOffset)
	if err := x.Enable(msgs); err != nil {
		fail(err.Error())
	}
	regs.Write32(regIVAR, (8|2)<<16)
	regs.Write32(regIMS, icrLSC|icrOthr)
	regs.Write32(regICS, icrLSC)
	wait("msix vector 2", msgs[2])
	fmt.Println("msiprobe ok")
}

func wait(what string, irq hw.Interrupt) {
	done := make(chan error, 1)
	go func() { done <- irq.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			fail(what + ": " + err.Error())
		}
		fmt.Println(what, "delivered")
	case <-time.After(2 * time.Second):
		fail(what + ": no interrupt")
	}
}

func fail(s string) {
	fmt.Println("msiprobe failed:", s)
	os.Exit(1)
}
