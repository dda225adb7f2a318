// Package e1000 drives Intel's 8254x gigabit Ethernet controllers as QEMU
// and most hypervisors present them: the 82540EM (PCI 8086:100e, QEMU's
// "e1000"), the 82545EM (8086:100f) and, through the same legacy
// interfaces, the 82574L (8086:10d3, QEMU's "e1000e").
//
// The reference is Intel's PCI/PCI-X Family of Gigabit Ethernet
// Controllers Software Developer's Manual (8254x SDM), rev 4.0; section
// numbers in comments are from it.
//
// The driver is ordinary Go: it gets the memory BAR as an hw.Regs window,
// DMA memory from an hw.DMA and the legacy INTx line as an hw.Interrupt,
// and runs one goroutine that waits for the interrupt, reads ICR (which
// quiets the level-triggered line) and then does the receive, transmit and
// link work. Transmit is called from any goroutine. Neither path
// allocates.
//
// Frames are warren.dev/drivers/ether's, as for every NIC driver: bytes as
// a scatter-gather list plus checksum-offload (CsumStart/CsumOffset) and
// segmentation (GSOType/GSOSize/HdrLen) metadata, translated here into
// context descriptors; received frames say whether the hardware validated
// their checksums. The methods mirror warren.dev/net/link's NIC.
//
// Package e1000test is a register-level model of the device for host
// tests.
package e1000
