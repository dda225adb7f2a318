package kernel

import (
	"warren.dev/kernel/acpi"
	"warren.dev/kernel/cpu"
)

// Ways to stop the machine. QEMU's isa-debug-exit carries the exit status
// to the host; ACPI S5, the i8042 reset and a triple fault (what
// Firecracker, cloud-hypervisor and QEMU's microvm have) cannot, so the
// status is printed first in a fixed line that warren run and the qemu
// harness read (qemu.StatusLine).
const (
	exitAuto      = iota // isa-debug-exit when it answers, else ACPI S5, else a reset
	exitDebugExit        // warren.exit=debugexit: isa-debug-exit even if it seems absent
	exitACPI             // warren.exit=acpi: start with ACPI S5
	exitReset            // warren.exit=reset: start with the i8042 reset
)

// exitMethod is set from warren.exit= before the runtime starts.
var exitMethod = exitAuto

// exitStatusLine starts the console line that carries the exit status
// (the qemu package's StatusLine).
const exitStatusLine = "warren: exit status "

// The i8042 keyboard controller's command port and its pulse of the
// CPU's reset line; Firecracker turns it into a VM exit.
const (
	i8042Command = 0x64
	i8042Reset   = 0xfe
)

// powerOff ends the machine with a status, trying each way that
// exitMethod allows in turn; a way that fails (no such device) falls
// through to the next, and the last one, a triple fault, works anywhere.
// A non-zero status is always said on the console, and so is any status
// that isa-debug-exit does not carry.
//
// Context: kernel (no allocation, no pointer stores).
func powerOff(status uint8) {
	hw := hardware{}
	debugExit := exitMethod == exitDebugExit || exitMethod == exitAuto && debugExitPresent(hw)
	if status != 0 || !debugExit {
		sayStatus(status)
	}
	if debugExit {
		hw.Outl(debugExitPort, uint32(status))
		if status == 0 { // still running: the device was not there
			sayStatus(status)
		}
	}
	if exitMethod != exitReset && enterS5(hw, &acpiInfo) {
		settle()
	}
	hw.Outb(i8042Command, i8042Reset)
	settle()
	cpu.TripleFault()
	for {
		cpu.DisableInterrupts()
		cpu.Halt()
	}
}

// sayStatus prints the status line.
//
// Context: kernel (no allocation, no pointer stores).
func sayStatus(status uint8) {
	var l line
	l.s(exitStatusLine).u(uint64(status)).put()
}

// settle gives the VMM about 100 ms to act on a power-off request before
// the next way is tried (before the clock is calibrated, 10^8 TSC ticks).
//
// Context: kernel (no allocation, no pointer stores).
func settle() {
	wait := clock.tscHz / 10
	if wait == 0 {
		wait = 1e8
	}
	for start := cpu.Rdtsc(); cpu.Rdtsc()-start < wait; {
		cpu.Pause()
	}
}

// ports is the port I/O power-off uses.
type ports interface {
	Inb(port uint16) uint8
	Inw(port uint16) uint16
	Outb(port uint16, v uint8)
	Outw(port uint16, v uint16)
}

// debugExitPresent reports whether QEMU's isa-debug-exit seems to be at
// its port: the device has no ID register, but it reads as 0 where an
// empty port reads as all ones. A false positive costs one write to a
// port nothing decodes.
//
// Context: kernel (no allocation, no pointer stores).
func debugExitPresent(p ports) bool { return p.Inb(debugExitPort) == 0 }

// enterS5 asks the ACPI hardware for soft-off: SLP_TYP from \_S5_ with
// SLP_EN, into the PM1 control blocks, or into the sleep control register
// of hardware-reduced ACPI. It reports false when the tables give no way.
//
// Context: kernel (no allocation, no pointer stores).
func enterS5(p ports, a *acpi.Info) bool {
	const (
		pm1SlpTyp = 7 << 10 // PM1 control: SLP_TYPx, bits 10-12
		pm1SlpEn  = 1 << 13
		sleepEn   = 1 << 5 // sleep control register: SLP_EN; SLP_TYPx in bits 2-4
	)
	switch {
	case !a.HasS5:
		return false
	case a.SleepControl != 0:
		p.Outb(a.SleepControl, a.S5TypeA<<2|sleepEn)
		return true
	case a.PM1aControl != 0:
		for _, r := range [...]struct {
			port uint16
			typ  uint8
		}{{a.PM1aControl, a.S5TypeA}, {a.PM1bControl, a.S5TypeB}} {
			if r.port != 0 {
				v := p.Inw(r.port)&^(pm1SlpTyp|pm1SlpEn) | uint16(r.typ)<<10
				p.Outw(r.port, v)
				p.Outw(r.port, v|pm1SlpEn)
			}
		}
		return true
	}
	return false
}
