package kernelhw

import (
	"syscall"
	"unsafe"

	"warren.dev/drivers/hw"
	"warren.dev/kernel/acpi"
	"warren.dev/kernel/hwabi"
)

// physSlice views memory the kernel mapped at its physical address.
func physSlice(pa uint64, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&pa))), n)
}

// physAddr is the address of a DMA buffer, which is its physical address.
func physAddr(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

// AllocMSI implements hw.Interrupts.
func (interrupts) AllocMSI() (hw.MSI, error) {
	var msg hwabi.MSI
	fd, _, e := syscall.Syscall(hwabi.SysIRQMSI, uintptr(unsafe.Pointer(&msg)), 0, 0)
	if e != 0 {
		return hw.MSI{}, e
	}
	return hw.MSI{Addr: uint64(msg.Addr), Data: msg.Data, Interrupt: newInterrupt(fd)}, nil
}

// MMIODevices fills d with the virtio-mmio devices the kernel found in the
// ACPI tables at boot (none without ACPI).
func MMIODevices(d *acpi.MMIODevices) error {
	_, _, e := syscall.Syscall(hwabi.SysMMIODevices, uintptr(unsafe.Pointer(d)), unsafe.Sizeof(*d), 0)
	if e != 0 {
		return e
	}
	return nil
}
