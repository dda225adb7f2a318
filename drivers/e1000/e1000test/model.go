// Package e1000test is a register-level model of an Intel 82540EM
// gigabit Ethernet controller (8254x SDM rev 4.0), for testing drivers on
// the host. It decodes the memory BAR through an hwtest.Regs window,
// reads and writes descriptors and buffers by physical address in
// hwtest.DMA memory as the device's bus master would, and raises an
// hwtest.Interrupt as its level-triggered INTx line.
//
// Modelled: reset, the EEPROM behind EERD, the station address and
// multicast filters, link status with auto-negotiation time, interrupt
// cause, mask and throttling registers, legacy receive descriptors with
// the receiver's length, filter and checksum checks, legacy and TCP/IP
// transmit descriptors with checksum insertion and TCP segmentation, and
// the statistics registers. Knobs in Config reproduce QEMU's quirks.
//
// The model also checks the driver: accesses that are not 32-bit,
// descriptors outside memory, tails that overrun the head and the like
// are collected by Errors.
package e1000test

import (
	"fmt"
	"sync"
	"time"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/hw/hwtest"
)

// Config describes the modelled device.
type Config struct {
	MAC      [6]byte
	DeviceID uint16 // 0 means the 82540EM; 0x10D3 selects the 82574L's EERD layout

	LinkDown  bool          // no cable at power-on
	LinkDelay time.Duration // auto-negotiation: from CTRL.SLU (or cable in) to STATUS.LU

	NoRAL0            bool // reset leaves RAL0/RAH0 empty: the address is only in the EEPROM
	BadEEPROMChecksum bool
	ResetReads        int // CTRL.RST reads back set this many times after a reset
	EERDReads         int // EERD reads back without DONE this many times

	// QEMU quirks.
	IgnoreReset bool // CTRL.RST resets nothing (QEMU's e1000)
	NoRxCsum    bool // receive checksums are never checked: IXSM always set
	StickyStats bool // MPC, RNBC and the other error counters do not clear on read

	RxFIFO int  // frames the packet buffer holds while the ring is full; 0 means 32
	Trace  bool // record register writes (Writes)
}

// Counts are events the model saw.
type Counts struct {
	Resets      int
	RCTLWrites  int
	TDTWrites   int
	RDTWrites   int
	Contexts    int // context descriptors processed
	Fires       int // interrupts raised
	RxDelivered int // frames written to the receive ring
	TxFrames    int // frames put on the wire (after segmentation)
}

// Write is a traced register write.
type Write struct {
	Off uint64
	Val uint32
}

const (
	barSize = 0x20000
	minETH  = 60 // shortest frame on the wire, without FCS
	maxETH  = 1518
)

// Model is the device.
type Model struct {
	mu  sync.Mutex
	cfg Config
	dma *hwtest.DMA
	irq *hwtest.Interrupt

	r      [barSize / 4]uint32
	eeprom [reg.EEPROM_WORDS]uint16

	rstReads  int
	eerdReads int

	// link
	wire     bool
	lu       bool
	autoneg  *time.Timer
	linkGen  int
	asserted bool
	lastFire time.Time
	itrTimer *time.Timer

	// receive
	fifo []rxFrame

	// transmit
	holdTx bool
	tx     txState
	sent   [][]byte
	sentCh chan struct{}

	counts Counts
	errs   []string
	writes []Write
}

// New returns a powered-on, reset device.
func New(dma *hwtest.DMA, irq *hwtest.Interrupt, cfg Config) *Model {
	if cfg.RxFIFO == 0 {
		cfg.RxFIFO = 32
	}
	m := &Model{cfg: cfg, dma: dma, irq: irq, wire: !cfg.LinkDown, sentCh: make(chan struct{}, 1)}
	m.buildEEPROM()
	m.mu.Lock()
	m.reset()
	m.counts.Resets = 0
	m.mu.Unlock()
	return m
}

// Regs is the memory BAR.
func (m *Model) Regs() *hwtest.Regs {
	return &hwtest.Regs{Read: m.read, Write: m.write}
}

func (m *Model) errorf(format string, args ...any) {
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

// Errors returns the driver mistakes the model noticed.
func (m *Model) Errors() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.errs...)
}

// Counts returns event counts.
func (m *Model) Counts() Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts
}

// Writes returns the traced register writes (Config.Trace).
func (m *Model) Writes() []Write {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Write(nil), m.writes...)
}

// Reg returns a register without the side effects of a read.
func (m *Model) Reg(off uint64) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if off == reg.STATUS {
		return m.status()
	}
	return m.r[off/4]
}

// reset is CTRL.RST (§13.4.1): registers to their defaults, the address
// reloaded from the EEPROM, the link renegotiated.
func (m *Model) reset() {
	m.counts.Resets++
	m.r = [barSize / 4]uint32{}
	m.r[reg.CTRL/4] = reg.CTRL_FD | reg.CTRL_SPEED_1000
	m.r[reg.PBA/4] = 0x00100030
	if !m.cfg.NoRAL0 {
		a := m.cfg.MAC
		m.r[reg.RAL0/4] = uint32(a[0]) | uint32(a[1])<<8 | uint32(a[2])<<16 | uint32(a[3])<<24
		m.r[reg.RAH0/4] = uint32(a[4]) | uint32(a[5])<<8 | reg.RAH_AV
	}
	m.lu = false
	m.stopAutoneg()
	m.asserted = false
	if m.itrTimer != nil {
		m.itrTimer.Stop()
		m.itrTimer = nil
	}
	m.fifo = nil
	m.tx = txState{}
	m.rstReads = m.cfg.ResetReads
}

func (m *Model) read(off uint64, width int) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if width != 4 || off%4 != 0 || off >= barSize {
		m.errorf("read of %d bytes at %#x: the 8254x takes aligned 32-bit accesses", width, off)
		return 0
	}
	switch off {
	case reg.CTRL:
		v := m.r[off/4]
		if m.rstReads > 0 {
			m.rstReads--
			v |= reg.CTRL_RST
		}
		return uint64(v)
	case reg.STATUS:
		return uint64(m.status())
	case reg.EERD:
		v := m.r[off/4]
		if m.eerdReads > 0 {
			m.eerdReads--
			v &^= m.eerdDone()
		}
		return uint64(v)
	case reg.ICR:
		v := m.r[off/4]
		m.r[off/4] = 0
		m.update()
		return uint64(v)
	case reg.ICS, reg.IMC:
		return 0 // write-only
	}
	if off >= reg.StatsFirst && off <= reg.StatsLast {
		return uint64(m.readStat(off))
	}
	return uint64(m.r[off/4])
}

func (m *Model) write(off uint64, width int, v64 uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if width != 4 || off%4 != 0 || off >= barSize {
		m.errorf("write of %d bytes at %#x: the 8254x takes aligned 32-bit accesses", width, off)
		return
	}
	v := uint32(v64)
	if m.cfg.Trace {
		m.writes = append(m.writes, Write{off, v})
	}
	switch off {
	case reg.CTRL:
		m.writeCTRL(v)
	case reg.STATUS:
		// read-only
	case reg.EERD:
		m.writeEERD(v)
	case reg.ICR:
		m.r[off/4] &^= v
		m.update()
	case reg.ICS:
		m.raise(v)
	case reg.IMS:
		m.r[reg.IMS/4] |= v
		m.update()
	case reg.IMC:
		m.r[reg.IMS/4] &^= v
		m.update()
	case reg.ITR, reg.RDTR, reg.RADV, reg.TIDV, reg.TADV, reg.RDH, reg.TDH:
		m.r[off/4] = v & 0xFFFF
	case reg.RDLEN, reg.TDLEN:
		if v%128 != 0 || v == 0 {
			m.errorf("%s %#x: must be a non-zero multiple of 128 (§13.4.27)", name(off), v)
		}
		m.r[off/4] = v & 0xFFF80
	case reg.RDBAL, reg.TDBAL:
		if v%16 != 0 {
			m.errorf("%s %#x: must be 16-byte aligned", name(off), v)
		}
		m.r[off/4] = v
	case reg.RCTL:
		m.counts.RCTLWrites++
		m.r[off/4] = v
		if v&reg.RCTL_EN == 0 {
			m.fifo = nil
		}
		m.drainFIFO()
	case reg.RDT:
		m.counts.RDTWrites++
		m.writeRDT(v & 0xFFFF)
	case reg.TCTL:
		m.r[off/4] = v
		m.transmit()
	case reg.TDT:
		m.counts.TDTWrites++
		m.writeTDT(v & 0xFFFF)
	default:
		if off >= reg.StatsFirst && off <= reg.StatsLast {
			return // read-only
		}
		m.r[off/4] = v
	}
}

func (m *Model) writeCTRL(v uint32) {
	if v&reg.CTRL_RST != 0 && !m.cfg.IgnoreReset {
		m.reset()
		v = m.r[reg.CTRL/4] // a reset loses the rest of the write
	}
	v &^= reg.CTRL_RST | reg.CTRL_PHY_RST
	m.r[reg.CTRL/4] = v
	m.linkCheck()
}

func name(off uint64) string {
	switch off {
	case reg.RDLEN:
		return "RDLEN"
	case reg.TDLEN:
		return "TDLEN"
	case reg.RDBAL:
		return "RDBAL"
	case reg.TDBAL:
		return "TDBAL"
	}
	return fmt.Sprintf("register %#x", off)
}

// ring returns a ring's base, size in descriptors, head and tail.
func (m *Model) ring(bal, bah, dlen, dh, dt uint64) (base uint64, n, head, tail int) {
	base = uint64(m.r[bah/4])<<32 | uint64(m.r[bal/4]&^0xF)
	return base, int(m.r[dlen/4] / reg.DescSize), int(m.r[dh/4]), int(m.r[dt/4])
}

// descriptor returns the 16 bytes of descriptor i of the ring at base.
func (m *Model) descriptor(base uint64, i int) []byte {
	b, err := m.dma.Bytes(base+uint64(i)*reg.DescSize, reg.DescSize)
	if err != nil {
		m.errorf("descriptor %d: %v", i, err)
		return nil
	}
	return b
}
