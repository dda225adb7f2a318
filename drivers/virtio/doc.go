// Package virtio is the device-independent part of Warren's virtio
// drivers: the modern virtio-pci transport (virtio 1.2 §4.1: capability
// parsing, device status handshake, feature negotiation, queue setup,
// notifications, configuration generation) and split virtqueues in DMA
// memory (§2.7: descriptor table with a free list, available and used
// rings, VIRTIO_F_EVENT_IDX notification suppression).
//
// It knows nothing about PCI enumeration: the PCI layer hands over the
// parsed vendor capabilities (Cap, or ReadCap over a ConfigReader), a way
// to map a BAR, and, for MSI-X, a small MSIX interface. Device drivers
// (package net) build on Transport and SplitQueue.
//
// Only modern (VIRTIO_F_VERSION_1) devices are driven; legacy and
// transitional-only devices are refused.
package virtio
