// Package kernelhw is the platform (package hw) as Warren's kernel
// provides it to drivers: DMA memory and device registers mapped at their
// physical addresses, and interrupts as files the Go netpoller waits on.
package kernelhw

import (
	"errors"
	"os"
	"sync"
	"syscall"

	"warren.dev/drivers/hw"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/hwabi"
	"warren.dev/kernel/mmio"
)

// Platform returns the machine's platform.
func Platform() hw.Platform {
	return hw.Platform{DMA: dma{}, Mapper: mapper{}, Interrupts: interrupts{}}
}

type dma struct{}

// Alloc implements hw.DMA.
func (dma) Alloc(size, align int) ([]byte, uint64, error) {
	if align < 4096 {
		align = 4096
	}
	pa, _, e := syscall.Syscall(hwabi.SysDMAAlloc, uintptr(size), uintptr(align), 0)
	if e != 0 {
		return nil, 0, e
	}
	return physSlice(uint64(pa), size), uint64(pa), nil
}

// Free implements hw.DMA.
func (dma) Free(buf []byte) {
	if len(buf) > 0 {
		syscall.Syscall(hwabi.SysDMAFree, uintptr(physAddr(buf)), uintptr(cap(buf)), 0)
	}
}

type mapper struct{}

// MapMMIO implements hw.Mapper.
func (mapper) MapMMIO(pa, size uint64) (hw.Regs, error) {
	if _, _, e := syscall.Syscall(hwabi.SysMMIOMap, uintptr(pa), uintptr(size), 0); e != 0 {
		return nil, e
	}
	return mmioRegs{base: pa, size: size}, nil
}

// PortIO implements hw.Mapper: the program runs with IOPL 3.
func (mapper) PortIO(base, size uint16) (hw.Regs, error) {
	if uint32(base)+uint32(size) > 1<<16 {
		return nil, errors.New("kernelhw: port range past 0xffff")
	}
	return portRegs{base: base}, nil
}

// mmioRegs accesses a mapped register window. Offsets are not checked
// against size on the hot path; drivers use fixed register offsets.
type mmioRegs struct{ base, size uint64 }

func (r mmioRegs) Read8(off uint64) uint8       { return mmio.Read8(r.base + off) }
func (r mmioRegs) Read16(off uint64) uint16     { return mmio.Read16(r.base + off) }
func (r mmioRegs) Read32(off uint64) uint32     { return mmio.Read32(r.base + off) }
func (r mmioRegs) Read64(off uint64) uint64     { return mmio.Read64(r.base + off) }
func (r mmioRegs) Write8(off uint64, v uint8)   { mmio.Write8(r.base+off, v) }
func (r mmioRegs) Write16(off uint64, v uint16) { mmio.Write16(r.base+off, v) }
func (r mmioRegs) Write32(off uint64, v uint32) { mmio.Write32(r.base+off, v) }
func (r mmioRegs) Write64(off uint64, v uint64) { mmio.Write64(r.base+off, v) }

type portRegs struct{ base uint16 }

func (r portRegs) Read8(off uint64) uint8   { return cpu.Inb(r.base + uint16(off)) }
func (r portRegs) Read16(off uint64) uint16 { return cpu.Inw(r.base + uint16(off)) }
func (r portRegs) Read32(off uint64) uint32 { return cpu.Inl(r.base + uint16(off)) }
func (r portRegs) Read64(off uint64) uint64 {
	return uint64(r.Read32(off)) | uint64(r.Read32(off+4))<<32
}
func (r portRegs) Write8(off uint64, v uint8)   { cpu.Outb(r.base+uint16(off), v) }
func (r portRegs) Write16(off uint64, v uint16) { cpu.Outw(r.base+uint16(off), v) }
func (r portRegs) Write32(off uint64, v uint32) { cpu.Outl(r.base+uint16(off), v) }
func (r portRegs) Write64(off uint64, v uint64) {
	r.Write32(off, uint32(v))
	r.Write32(off+4, uint32(v>>32))
}

type interrupts struct{}

// Line implements hw.Interrupts.
func (interrupts) Line(irq uint8) (hw.Interrupt, error) { return line(irq, 0) }

// GSILine implements hw.Interrupts.
func (interrupts) GSILine(gsi uint8, m hw.LineMode) (hw.Interrupt, error) {
	var flags uintptr
	if !m.Level {
		flags |= hwabi.IRQLineEdge
	}
	if !m.ActiveLow {
		flags |= hwabi.IRQLineActiveHigh
	}
	return line(gsi, flags)
}

func line(pin uint8, flags uintptr) (hw.Interrupt, error) {
	fd, _, e := syscall.Syscall(hwabi.SysIRQLine, uintptr(pin), flags, 0)
	if e != 0 {
		return nil, e
	}
	return newInterrupt(fd), nil
}

// interrupt waits on an interrupt file in the netpoller.
type interrupt struct {
	f    *os.File
	once sync.Once
	buf  [8]byte
}

func newInterrupt(fd uintptr) *interrupt {
	return &interrupt{f: os.NewFile(fd, "irq")}
}

// Wait implements hw.Interrupt: reading the file consumes the count and
// unmasks a level-triggered line.
func (i *interrupt) Wait() error {
	_, err := i.f.Read(i.buf[:])
	if errors.Is(err, os.ErrClosed) {
		return hw.ErrClosed
	}
	return err
}

// Close implements hw.Interrupt.
func (i *interrupt) Close() error {
	var err error
	i.once.Do(func() { err = i.f.Close() })
	return err
}
