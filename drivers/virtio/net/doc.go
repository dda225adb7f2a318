// Package net drives virtio-net devices (virtio 1.2 §5.1) over either
// virtio transport (modern virtio-pci or virtio-mmio), behind a driver-neutral NIC interface: Open,
// MAC, MTU, LinkUp, Offloads, Transmit, WaitTXSpace, a receive callback,
// Stats, Err and Close. The network stack adapts it (to gVisor's
// stack.LinkEndpoint); this package knows nothing about the stack.
//
// One receive queue and one transmit queue are used, or, with
// VIRTIO_NET_F_MQ, a pair per CPU (Config.Pairs, mq.go). Frames are
// copied between the caller's memory and preallocated DMA buffers, one
// buffer per descriptor, so the packet path does not allocate. Receive
// runs on a receive queue's goroutine, which polls the ring with
// interrupts suppressed and re-enables them with a re-check; it never
// serves a transmit interrupt, so Receive may wait for transmit room.
// Transmit runs on the caller's goroutine, takes the lock of the flow's
// transmit queue only, and reclaims completed buffers as it goes;
// transmit interrupts are only requested while someone waits for room
// (WaitTXSpace). A watchdog per transmit queue notifies the device when
// it holds buffers and uses none for a while (txwatch.go).
//
// Wiring it to a PCI function (the PCI-side names are illustrative): the
// function's vendor-specific capabilities (ID 0x09) are parsed with
// virtio.ReadCap, BARs are mapped on demand, and MSI-X is enabled by the
// PCI layer before Open:
//
//	var caps []virtio.Cap
//	for _, off := range fn.CapabilityOffsets(0x09) {
//		c, err := virtio.ReadCap(fn, off) // fn: virtio.ConfigReader
//		if err == nil {
//			caps = append(caps, c)
//		}
//	}
//	t, err := virtio.NewPCI(caps, fn.MapBAR) // virtio.BARMapper
//	...
//	dev, err := net.Open(net.Config{
//		Transport:  t,
//		DMA:        platform.DMA,
//		MSIX:       fn.MSIX(), // virtio.MSIX; or Line: the INTx interrupt
//		Interrupts: platform.Interrupts,
//		Receive:    func(frames []ether.Frame) { ... copy out ... },
//		LinkChange: func(up bool) { ... },
//	})
//
// The device ID to match is virtio.PCIDeviceIDBase+DeviceID (0x1041), or
// the transitional 0x1000.
//
// A virtio-mmio device (virtio.MMIOSlot, from the virtio_mmio.device=
// boot option) is its mapped register block and its interrupt line:
//
//	t, id, err := virtio.NewMMIO(regs, slot.Size) // id == DeviceID
//	...
//	dev, err := net.Open(net.Config{Transport: t, DMA: platform.DMA, Line: irq, ...})
package net

// DeviceID is the virtio device ID of network devices (§5.1.1).
const DeviceID = 1
