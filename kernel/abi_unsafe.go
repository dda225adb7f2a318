package kernel

import (
	"unsafe"

	"warren.dev/kernel/sockabi"
	"warren.dev/kernel/statsabi"
)

// Fixed-layout records the kernel exchanges with the program, viewed as
// the bytes that are copied (kernel/sockabi, kernel/statsabi, kernel/hwabi).

// requestBytes views a forwarded request as the bytes SysServe copies
// out: all but the unused tail of Inline, its last field, which the
// socket layer reads only up to InlineLen.
func requestBytes(r *sockabi.Request) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(r)), sockabi.RequestSize-sockabi.InlineSize+int(r.InlineLen))
}

// countersBytes views the kernel's counters as bytes, for sysStats.
func countersBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&kstats)), statsabi.Size)
}

// mmioDevicesBytes views the virtio-mmio devices ACPI declares as bytes,
// for sysMMIODevices.
func mmioDevicesBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&mmioDevices)), unsafe.Sizeof(mmioDevices))
}

// sockInfoBytes views a socket description as bytes.
func sockInfoBytes(i *sockabi.SockInfo) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(i)), sockabi.SockInfoSize)
}

// lookupGenAddr is the address of the program's descriptor-table
// generation, which it reads in place (sockabi.SysLookupGen).
func lookupGenAddr() uint64 { return uint64(uintptr(unsafe.Pointer(fdTables[0].Gen()))) }
