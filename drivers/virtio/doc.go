// Package virtio is the device-independent part of Warren's virtio
// drivers: the virtio 1.x transports (virtio 1.2 §4.1 modern virtio-pci
// with capability parsing and MSI-X, §4.2 virtio-mmio version 2) behind
// one Transport (device status handshake, feature negotiation, queue
// setup, notifications, interrupt status, configuration generation), the
// virtio_mmio.device= boot option that places MMIO devices, and split
// virtqueues in DMA memory (§2.7: descriptor table with a free list,
// available and used rings, VIRTIO_F_EVENT_IDX notification
// suppression).
//
// It knows nothing about PCI enumeration: the PCI layer hands over the
// parsed vendor capabilities (Cap, or ReadCap over a ConfigReader), a way
// to map a BAR, and, for MSI-X, a small MSIX interface (NewPCI). An MMIO
// device is a mapped register block (NewMMIO). Device drivers (package
// net) build on Transport and SplitQueue.
//
// Only modern (VIRTIO_F_VERSION_1) devices are driven; legacy and
// transitional-only devices, and the legacy virtio-mmio layout, are
// refused.
package virtio
