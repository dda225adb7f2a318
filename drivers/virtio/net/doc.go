// Package net drives virtio-net devices (virtio 1.2 §5.1) over the modern
// virtio-pci transport, behind a driver-neutral NIC interface: Open,
// MAC, MTU, LinkUp, Offloads, Transmit, a receive callback, Stats and
// Close. The network stack adapts it (to gVisor's stack.LinkEndpoint);
// this package knows nothing about the stack.
//
// One receive queue and one transmit queue are used. Frames are copied
// between the caller's memory and preallocated DMA buffers, one buffer
// per descriptor, so the packet path does not allocate. Receive runs on
// the driver's interrupt goroutine, which polls the receive ring with
// interrupts suppressed and re-enables them with a re-check. Transmit
// runs on the caller's goroutine and reclaims completed buffers as it
// goes; transmit interrupts are only requested while someone waits for
// room (WaitTXSpace).
package net
