// Package dmamem reads and writes the descriptor words a device and its
// driver hand each other through DMA memory.
//
// The word holding a descriptor's Descriptor Done bit is the handover
// point: the device writes the rest of the descriptor (and the buffer)
// before it sets DD, and the driver must see those writes once it sees DD
// (8254x SDM §3.2.3, §3.3.3). Both sides therefore access that word
// atomically; the Go memory model then orders the plain accesses around
// it, on hardware and between a driver and a device model under the race
// detector alike. Everything else in DMA memory is read and written with
// encoding/binary.
package dmamem

import "encoding/binary"

func init() {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		panic("dmamem: descriptor words are little-endian and read in native order")
	}
}
