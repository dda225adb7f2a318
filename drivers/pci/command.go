package pci

// Command register bits (PCI 3.0 §6.2.2, Figure 6-2).
const (
	CmdIO           = 1 << 0  // respond to I/O space accesses
	CmdMemory       = 1 << 1  // respond to memory space accesses
	CmdBusMaster    = 1 << 2  // may issue memory and I/O requests (DMA, MSI)
	CmdINTxDisable  = 1 << 10 // may not assert INTx#
	StatusCapList   = 1 << 4  // status: a capability list is present
	statusINTxState = 1 << 3  // status: INTx# asserted (before the disable)
)

// EnableBusMaster lets the function master the bus: DMA, and MSI writes.
func (d Device) EnableBusMaster() { d.setCommand(CmdBusMaster, 0) }

// EnableMemory turns on decoding of the function's memory BARs.
func (d Device) EnableMemory() { d.setCommand(CmdMemory, 0) }

// EnableIO turns on decoding of the function's I/O BARs.
func (d Device) EnableIO() { d.setCommand(CmdIO, 0) }

// DisableINTx stops the function asserting its legacy interrupt pin.
func (d Device) DisableINTx() { d.setCommand(CmdINTxDisable, 0) }

// EnableINTx lets the function assert its legacy interrupt pin again.
func (d Device) EnableINTx() { d.setCommand(0, CmdINTxDisable) }

// INTxAsserted reports the status register's interrupt status bit: the
// function is asserting INTx# or would be but for CmdINTxDisable.
func (d Device) INTxAsserted() bool { return d.Read16(RegStatus)&statusINTxState != 0 }

// setCommand sets and clears command bits; Write16 leaves the
// write-1-to-clear status bits alone.
func (d Device) setCommand(set, clear uint16) {
	cmd := d.Read16(RegCommand)
	if n := cmd&^clear | set; n != cmd {
		d.Write16(RegCommand, n)
	}
}
