// Package mmio reads and writes memory-mapped device registers with
// explicit widths. Each access is one instruction the compiler cannot
// merge, split or drop; the region must be mapped uncached.
package mmio

// Read8 loads one byte at addr.
func Read8(addr uint64) uint8

// Read16 loads a 16-bit register at addr.
func Read16(addr uint64) uint16

// Read32 loads a 32-bit register at addr.
func Read32(addr uint64) uint32

// Read64 loads a 64-bit register at addr.
func Read64(addr uint64) uint64

// Write8 stores one byte at addr.
func Write8(addr uint64, v uint8)

// Write16 stores a 16-bit register at addr.
func Write16(addr uint64, v uint16)

// Write32 stores a 32-bit register at addr.
func Write32(addr uint64, v uint32)

// Write64 stores a 64-bit register at addr.
func Write64(addr uint64, v uint64)
