package pci

import (
	"sync"

	"warren.dev/kernel/cpu"
)

// PortConfig reaches configuration space through configuration mechanism
// #1: the address of a dword goes to port 0xCF8, then its data moves
// through port 0xCFC (PCI 3.0 §3.2.2.3.2). It is the mechanism every PC
// and QEMU machine has; it reaches only the first 256 bytes of each
// function.
type PortConfig struct{}

const (
	portAddress = 0xcf8
	portData    = 0xcfc
	cfgEnable   = 1 << 31
)

// portMu makes the address write and the data access one step: the pair
// of ports is shared by every goroutine in the machine.
var portMu sync.Mutex

// configAddress encodes the CONFIG_ADDRESS value for a dword: enable bit
// 31, bus 23:16, device 15:11, function 10:8, register 7:2, and 00 in
// bits 1:0, which select a type 0/1 translation, not a byte.
func configAddress(a Address, off uint8) uint32 {
	return cfgEnable | uint32(a.Bus)<<16 | uint32(a.Device&0x1f)<<11 |
		uint32(a.Function&7)<<8 | uint32(off&0xfc)
}

// Read32 implements Config.
func (PortConfig) Read32(a Address, off uint8) uint32 {
	portMu.Lock()
	defer portMu.Unlock()
	cpu.Outl(portAddress, configAddress(a, off))
	return cpu.Inl(portData)
}

// Write32 implements Config.
func (PortConfig) Write32(a Address, off uint8, v uint32) {
	portMu.Lock()
	defer portMu.Unlock()
	cpu.Outl(portAddress, configAddress(a, off))
	cpu.Outl(portData, v)
}
