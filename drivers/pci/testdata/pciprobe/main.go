// Command pciprobe lists what Scan finds through PortConfig on a real (or
// emulated) machine, with capabilities, MSI and MSI-X; for manual runs:
//
//	warren build -o /tmp/p.elf ./drivers/pci/testdata/pciprobe
//	qemu-system-x86_64 -nodefaults -display none -serial stdio -kernel /tmp/p.elf \
//	    -device isa-debug-exit,iobase=0xf4,iosize=4 \
//	    -device e1000 -device virtio-net-pci,disable-legacy=on \
//	    -device pci-bridge,chassis_nr=1,id=b1 -device virtio-blk-pci,bus=b1,drive=d -drive if=none,id=d,file=/dev/null,format=raw
package main

import (
	"fmt"

	"warren.dev/drivers/pci"
)

func main() {
	for _, d := range pci.Scan(pci.PortConfig{}) {
		fmt.Printf("%v %04x:%04x class %02x%02x%02x hdr %d mf %v sub %04x:%04x pin %d line %d",
			d.Address, d.VendorID, d.DeviceID, d.Class, d.Subclass, d.ProgIF, d.HeaderType,
			d.MultiFunction, d.SubsystemVendor, d.SubsystemID, d.InterruptPin, d.InterruptLine)
		if d.HeaderType == pci.HeaderBridge {
			fmt.Printf(" buses %d/%d/%d", d.PrimaryBus, d.SecondaryBus, d.SubordinateBus)
		}
		fmt.Println()
		for _, b := range d.BARs {
			fmt.Printf("  bar%d %v %#x size %#x pf %v\n", b.Index, b.Kind, b.Addr, b.Size, b.Prefetchable)
		}
		for _, c := range d.Capabilities() {
			fmt.Printf("  cap %#02x at %#02x", c.ID, c.Offset)
			if c.ID == pci.CapVendor {
				fmt.Printf(" cfg_type %d bar %d", d.Read8(c.Offset+3), d.Read8(c.Offset+4))
			}
			fmt.Println()
		}
		if m, ok := d.MSI(); ok {
			fmt.Printf("  msi 64=%v pvm=%v vectors=%d\n", m.Is64, m.PerVectorMask, m.Vectors)
		}
		if m, ok := d.MSIX(); ok {
			b, err := m.TableBAR()
			fmt.Printf("  msix size %d table bar%d+%#x pba bar%d+%#x (%v %v)\n", m.TableSize, m.TableBIR, m.TableOffset, m.PBABIR, m.PBAOffset, b.Addr, err)
		}
	}
	fmt.Println("pciprobe ok")
}
