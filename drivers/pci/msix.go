package pci

import (
	"errors"
	"fmt"

	"warren.dev/drivers/hw"
)

// MSIX is a function's MSI-X capability (PCI 3.0 §6.8.2): a table of
// vectors, each with its own address, data and mask, in memory space
// behind one of the function's BARs, and a pending-bit array (PBA) in
// another or the same.
type MSIX struct {
	Device      Device
	Offset      uint8  // of the capability
	TableSize   int    // entries, 1-2048
	TableBIR    int    // BAR holding the table
	TableOffset uint32 // from that BAR's start, 8-byte aligned
	PBABIR      int
	PBAOffset   uint32

	// Table is a window onto BAR TableBIR from its start, as the caller
	// mapped it (hw.Mapper.MapMMIO of TableBAR); the entry methods need it.
	Table hw.Regs
}

// Capability registers (PCI 3.0 §6.8.2.3-5).
const (
	msixEnable       = 1 << 15
	msixFunctionMask = 1 << 14
	msixSizeMask     = 0x7ff // table size - 1
	msixBIRMask      = 7
)

// Table entries (PCI 3.0 §6.8.2.6-9): 16 bytes each, accessed only as
// aligned dwords.
const (
	msixEntrySize  = 16
	msixAddrLo     = 0
	msixAddrHi     = 4
	msixData       = 8
	msixVectorCtl  = 12
	msixVectorMask = 1 << 0 // the rest of Vector Control is reserved
)

// MSIX returns the function's MSI-X capability; set its Table before
// programming entries.
func (d Device) MSIX() (MSIX, bool) {
	c, ok := d.FindCapability(CapMSIX)
	if !ok {
		return MSIX{}, false
	}
	table, pba := d.Read32(c.Offset+4), d.Read32(c.Offset+8)
	return MSIX{
		Device:      d,
		Offset:      c.Offset,
		TableSize:   int(d.Read16(c.Offset+2)&msixSizeMask) + 1,
		TableBIR:    int(table & msixBIRMask),
		TableOffset: table &^ msixBIRMask,
		PBABIR:      int(pba & msixBIRMask),
		PBAOffset:   pba &^ msixBIRMask,
	}, true
}

// TableBAR returns the memory BAR holding the table, checking that the
// table fits in it: the one for the caller to map and set as Table.
func (m MSIX) TableBAR() (BAR, error) {
	b, ok := m.Device.BAR(m.TableBIR)
	switch {
	case !ok:
		return BAR{}, fmt.Errorf("pci: %v: MSI-X table in BAR %d, which is not implemented", m.Device.Address, m.TableBIR)
	case b.Kind == IO:
		return BAR{}, fmt.Errorf("pci: %v: MSI-X table in I/O BAR %d", m.Device.Address, m.TableBIR)
	case uint64(m.TableOffset)+uint64(m.TableSize)*msixEntrySize > b.Size:
		return BAR{}, fmt.Errorf("pci: %v: MSI-X table of %d entries at %#x overruns BAR %d (%#x bytes)",
			m.Device.Address, m.TableSize, m.TableOffset, m.TableBIR, b.Size)
	}
	return b, nil
}

func (m MSIX) entry(i int) (uint64, error) {
	if m.Table == nil {
		return 0, errors.New("pci: MSI-X table not mapped")
	}
	if i < 0 || i >= m.TableSize {
		return 0, fmt.Errorf("pci: MSI-X entry %d out of %d", i, m.TableSize)
	}
	return uint64(m.TableOffset) + uint64(i)*msixEntrySize, nil
}

// SetEntry masks entry i and sets its message: the function will write
// data to addr. The entry stays masked (SetMasked unmasks it): changing
// the message of an unmasked entry has undefined results (PCI 3.0
// §6.8.2.9).
func (m MSIX) SetEntry(i int, addr uint64, data uint32) error {
	e, err := m.entry(i)
	if err != nil {
		return err
	}
	if addr&3 != 0 {
		return fmt.Errorf("pci: MSI-X address %#x not dword aligned", addr)
	}
	m.setMask(e, true)
	m.Table.Write32(e+msixAddrLo, uint32(addr))
	m.Table.Write32(e+msixAddrHi, uint32(addr>>32))
	m.Table.Write32(e+msixData, data)
	return nil
}

// SetMasked masks or unmasks entry i.
func (m MSIX) SetMasked(i int, masked bool) error {
	e, err := m.entry(i)
	if err != nil {
		return err
	}
	m.setMask(e, masked)
	return nil
}

// Masked reports whether entry i is masked.
func (m MSIX) Masked(i int) (bool, error) {
	e, err := m.entry(i)
	if err != nil {
		return false, err
	}
	return m.Table.Read32(e+msixVectorCtl)&msixVectorMask != 0, nil
}

func (m MSIX) setMask(e uint64, masked bool) {
	v := m.Table.Read32(e + msixVectorCtl) // reserved bits preserved
	if masked {
		v |= msixVectorMask
	} else {
		v &^= msixVectorMask
	}
	m.Table.Write32(e+msixVectorCtl, v)
}

// Enable programs entry i with msgs[i], unmasks those entries, masks the
// rest, and turns MSI-X on. The order follows the spec's rule that an
// entry changes only while masked: MSI-X goes on first with the function
// masked (some devices decode the table only while MSI-X is enabled;
// Linux does the same), the entries are written, and the function mask
// comes off last, which is when messages may flow. The function also
// needs bus mastering (EnableBusMaster) to send them.
func (m MSIX) Enable(msgs []hw.MSI) error {
	if len(msgs) > m.TableSize {
		return fmt.Errorf("pci: %d MSI-X vectors asked of a table of %d", len(msgs), m.TableSize)
	}
	if _, err := m.entry(0); err != nil {
		return err
	}
	for _, msg := range msgs {
		if msg.Addr&3 != 0 {
			return fmt.Errorf("pci: MSI-X address %#x not dword aligned", msg.Addr)
		}
	}
	m.setControl(msixEnable|msixFunctionMask, 0)
	for i := 0; i < m.TableSize; i++ {
		if i < len(msgs) {
			m.SetEntry(i, msgs[i].Addr, msgs[i].Data)
		} else {
			m.SetMasked(i, true)
		}
	}
	for i := range msgs {
		m.SetMasked(i, false)
	}
	// Read back: table writes are posted; see them land before the
	// function mask (a configuration write) comes off.
	m.Masked(0)
	m.setControl(0, msixFunctionMask)
	return nil
}

// Disable turns MSI-X off; the function goes back to INTx, unless that
// is disabled too.
func (m MSIX) Disable() { m.setControl(0, msixEnable|msixFunctionMask) }

// SetFunctionMask masks or unmasks every vector at once, whatever the
// entries' own masks say (PCI 3.0 §6.8.2.3).
func (m MSIX) SetFunctionMask(masked bool) {
	if masked {
		m.setControl(msixFunctionMask, 0)
	} else {
		m.setControl(0, msixFunctionMask)
	}
}

func (m MSIX) setControl(set, clear uint16) {
	d := m.Device
	d.Write16(m.Offset+2, d.Read16(m.Offset+2)&^clear|set)
}
