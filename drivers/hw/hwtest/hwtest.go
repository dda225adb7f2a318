// Package hwtest provides host-side stand-ins for the platform: DMA memory
// with fake physical addresses that a device model can read and write,
// register windows backed by a model's callbacks, and interrupts a model
// can raise.
package hwtest

import (
	"errors"
	"fmt"
	"sync"

	"warren.dev/drivers/hw"
)

// DMA is fake physical memory: allocations get addresses in one flat
// space, and a device model reads and writes through Read/Write by
// physical address, as a bus master would.
type DMA struct {
	mu     sync.Mutex
	mem    []byte // physical address base + offset
	base   uint64
	next   int
	limit  int // bytes that may still be allocated, when LimitBytes was set
	allocs map[*byte]int
}

// NewDMA returns size bytes of fake physical memory starting at base.
func NewDMA(base uint64, size int) *DMA {
	return &DMA{mem: make([]byte, size), base: base, limit: -1, allocs: map[*byte]int{}}
}

// LimitBytes makes allocations fail once n more bytes have been handed out.
func (d *DMA) LimitBytes(n int) { d.mu.Lock(); d.limit = n; d.mu.Unlock() }

// Alloc implements hw.DMA.
func (d *DMA) Alloc(size, align int) ([]byte, uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if size <= 0 || align <= 0 || align&(align-1) != 0 {
		return nil, 0, fmt.Errorf("hwtest: bad DMA request size %d align %d", size, align)
	}
	off := (d.next + align - 1) &^ (align - 1)
	if off+size > len(d.mem) || d.limit >= 0 && size > d.limit {
		return nil, 0, errors.New("hwtest: out of DMA memory")
	}
	if d.limit >= 0 {
		d.limit -= size
	}
	d.next = off + size
	buf := d.mem[off : off+size : off+size]
	d.allocs[&buf[0]] = size
	return buf, d.base + uint64(off), nil
}

// Free implements hw.DMA; memory is not reused, so use-after-free shows
// up as stale data rather than corruption of a later allocation.
func (d *DMA) Free(buf []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(buf) == 0 {
		return
	}
	delete(d.allocs, &buf[0])
}

// Outstanding is the number of allocations not freed.
func (d *DMA) Outstanding() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.allocs) }

// Bytes returns the memory at physical address pa, as a device sees it;
// it fails for addresses outside the fake memory.
func (d *DMA) Bytes(pa uint64, n int) ([]byte, error) {
	if pa < d.base || pa-d.base+uint64(n) > uint64(len(d.mem)) || n < 0 {
		return nil, fmt.Errorf("hwtest: DMA access %#x+%d outside memory", pa, n)
	}
	off := pa - d.base
	return d.mem[off : off+uint64(n)], nil
}

// Regs is a register window whose accesses go to a model's callbacks.
type Regs struct {
	Read  func(off uint64, width int) uint64
	Write func(off uint64, width int, v uint64)
}

func (r *Regs) Read8(off uint64) uint8       { return uint8(r.Read(off, 1)) }
func (r *Regs) Read16(off uint64) uint16     { return uint16(r.Read(off, 2)) }
func (r *Regs) Read32(off uint64) uint32     { return uint32(r.Read(off, 4)) }
func (r *Regs) Read64(off uint64) uint64     { return r.Read(off, 8) }
func (r *Regs) Write8(off uint64, v uint8)   { r.Write(off, 1, uint64(v)) }
func (r *Regs) Write16(off uint64, v uint16) { r.Write(off, 2, uint64(v)) }
func (r *Regs) Write32(off uint64, v uint32) { r.Write(off, 4, uint64(v)) }
func (r *Regs) Write64(off uint64, v uint64) { r.Write(off, 8, v) }

var _ hw.Regs = (*Regs)(nil)

// Interrupt is an interrupt a model raises with Fire.
type Interrupt struct {
	mu     sync.Mutex
	cond   *sync.Cond
	count  int
	closed bool
	// Waits counts Wait calls that returned, so tests can see a driver
	// went back to waiting.
	Waits int
}

// NewInterrupt returns an interrupt that has not fired.
func NewInterrupt() *Interrupt {
	i := &Interrupt{}
	i.cond = sync.NewCond(&i.mu)
	return i
}

// Fire raises the interrupt.
func (i *Interrupt) Fire() {
	i.mu.Lock()
	i.count++
	i.mu.Unlock()
	i.cond.Broadcast()
}

// Wait implements hw.Interrupt.
func (i *Interrupt) Wait() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	for i.count == 0 && !i.closed {
		i.cond.Wait()
	}
	if i.closed {
		return hw.ErrClosed
	}
	i.count = 0
	i.Waits++
	return nil
}

// Close implements hw.Interrupt.
func (i *Interrupt) Close() error {
	i.mu.Lock()
	i.closed = true
	i.mu.Unlock()
	i.cond.Broadcast()
	return nil
}

// Interrupts hands out fake interrupts and records them by vector.
type Interrupts struct {
	mu      sync.Mutex
	MSIs    []*Interrupt
	Lines   map[uint8]*Interrupt
	FailMSI bool // AllocMSI fails, as on a platform out of vectors
}

// AllocMSI implements hw.Interrupts with addresses a model can decode:
// Addr 0xfee00000, Data the index in MSIs.
func (p *Interrupts) AllocMSI() (hw.MSI, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.FailMSI {
		return hw.MSI{}, errors.New("hwtest: no MSI vectors")
	}
	irq := NewInterrupt()
	p.MSIs = append(p.MSIs, irq)
	return hw.MSI{Addr: 0xfee00000, Data: uint32(len(p.MSIs) - 1), Interrupt: irq}, nil
}

// Line implements hw.Interrupts.
func (p *Interrupts) Line(n uint8) (hw.Interrupt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Lines == nil {
		p.Lines = map[uint8]*Interrupt{}
	}
	irq := NewInterrupt()
	p.Lines[n] = irq
	return irq, nil
}

// GSILine implements hw.Interrupts; the interrupt is kept in Lines too.
func (p *Interrupts) GSILine(n uint8, _ hw.LineMode) (hw.Interrupt, error) { return p.Line(n) }

// Deliver raises the MSI a device wrote (addr, data), as the platform
// would; it fails for messages no AllocMSI handed out.
func (p *Interrupts) Deliver(addr uint64, data uint32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if addr != 0xfee00000 || int(data) >= len(p.MSIs) {
		return fmt.Errorf("hwtest: MSI write %#x=%#x matches no vector", addr, data)
	}
	p.MSIs[data].Fire()
	return nil
}
