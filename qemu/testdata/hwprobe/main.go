// Command hwprobe exercises the platform drivers use: DMA memory, an MMIO
// window (the local APIC's version register), PCI configuration space
// through port I/O, and interrupt files.
package main

import (
	"fmt"
	"os"

	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/kernel/cpu"
)

func main() {
	p := kernelhw.Platform()
	buf, pa, err := p.DMA.Alloc(3*4096, 8192)
	if err != nil {
		fail("dma", err)
	}
	buf[0], buf[len(buf)-1] = 0xaa, 0x55
	fmt.Printf("dma pa=%#x aligned=%v len=%d\n", pa, pa%8192 == 0, len(buf))
	p.DMA.Free(buf)

	regs, err := p.Mapper.MapMMIO(0xfee00000, 4096)
	if err != nil {
		fail("mmio", err)
	}
	fmt.Printf("lapic version=%#x\n", regs.Read32(0x30)&0xff)

	if _, err := p.Mapper.MapMMIO(0x200000, 4096); err == nil {
		fail("mmio", fmt.Errorf("mapping RAM as MMIO succeeded"))
	}

	cpu.Outl(0xcf8, 0x80000000) // bus 0, device 0, function 0, register 0
	id := cpu.Inl(0xcfc)
	fmt.Printf("pci 00:00.0 vendor=%#04x device=%#04x\n", id&0xffff, id>>16)

	msi, err := p.Interrupts.AllocMSI()
	if err != nil {
		fail("msi", err)
	}
	fmt.Printf("msi addr=%#x vector=%d\n", msi.Addr, msi.Data)
	line, err := p.Interrupts.Line(11)
	if err != nil {
		fail("line", err)
	}
	line.Close()
	msi.Close()
	fmt.Println("hwprobe ok")
}

func fail(what string, err error) {
	fmt.Println(what, "failed:", err)
	os.Exit(1)
}
