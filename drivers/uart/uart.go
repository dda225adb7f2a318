// Package uart drives a 16550-compatible serial port, polled: Warren's
// console. The board passes the I/O base.
package uart

import "warren.dev/kernel/cpu"

// Register offsets from the I/O base (PC16550D datasheet, Table 2).
const (
	regData    = 0 // THR/RBR; divisor low when LCR.DLAB
	regIER     = 1 // interrupt enable; divisor high when LCR.DLAB
	regFCR     = 2
	regLCR     = 3
	regMCR     = 4
	regLSR     = 5
	lsrTHRE    = 1 << 5 // transmit holding register empty
	lcrDLAB    = 1 << 7
	lcr8N1     = 0x03
	fcrEnable  = 0x07 // enable and clear both FIFOs
	mcrDTRRTSO = 0x0b // DTR, RTS, OUT2
)

// Port is one UART at an I/O base.
type Port struct{ Base uint16 }

// Init programs 115200 baud, 8N1, FIFOs on, interrupts off.
//
// Context: kernel (no allocation, no pointer stores).
func (p Port) Init() {
	cpu.Outb(p.Base+regIER, 0)
	cpu.Outb(p.Base+regLCR, lcrDLAB)
	cpu.Outb(p.Base+regData, 1) // divisor 1: 115200 baud
	cpu.Outb(p.Base+regIER, 0)
	cpu.Outb(p.Base+regLCR, lcr8N1)
	cpu.Outb(p.Base+regFCR, fcrEnable)
	cpu.Outb(p.Base+regMCR, mcrDTRRTSO)
}

// Put sends one byte, waiting for room in the transmitter.
//
// Context: kernel (no allocation, no pointer stores).
func (p Port) Put(c byte) {
	for cpu.Inb(p.Base+regLSR)&lsrTHRE == 0 {
		cpu.Pause()
	}
	cpu.Outb(p.Base+regData, c)
}

// Write sends b, turning "\n" into "\r\n" for terminals.
//
// Context: kernel (no allocation, no pointer stores).
func (p Port) Write(b []byte) {
	for _, c := range b {
		if c == '\n' {
			p.Put('\r')
		}
		p.Put(c)
	}
}
