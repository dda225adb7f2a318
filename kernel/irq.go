package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/kernel/hwabi"
)

// Device interrupts reach drivers, which are goroutines, as readable
// files: the interrupt handler only counts and wakes, and a driver blocks
// in the Go netpoller on its interrupt file, so no thread is tied up per
// device. A level-triggered line is masked when it fires and unmasked
// when the driver reads the file, after it has quieted the device. An
// edge-triggered line stays unmasked: the I/O APIC would drop an edge
// that came while it was masked.
//
// Each vector is given to the online CPUs in turn (irqTarget), MSIs and
// lines alike, so that one CPU's work does not serialise every device's:
// a virtio-net's receive and transmit queues interrupt different CPUs,
// and an interrupt that finds its CPU idle wakes the driver's thread
// there, without a reschedule IPI to another.

const maxIRQs = vecIRQEnd - vecIRQBase // vectors vecIRQBase..vecIRQEnd-1

type irqSource struct {
	used  bool
	cpu   int  // the CPU the interrupt is delivered to
	pin   int  // I/O APIC pin of a line, or -1 for MSI
	level bool // the line is level-triggered: masked while it is served
	count uint64
	seq   uint64
}

var irqs [maxIRQs]irqSource

// lastIRQCPU is the CPU irqTarget chose last.
var lastIRQCPU int

// irqTarget chooses the CPU for a new interrupt source: the online CPUs
// in turn, from the boot CPU.
func irqTarget() int {
	c := lastIRQCPU
	lastIRQCPU = (lastIRQCPU + 1) % ncpus
	return c
}

// irqFire runs in the interrupt handler.
//
// Context: kernel (no allocation, no pointer stores).
func irqFire(v uint64) {
	s := &irqs[v-vecIRQBase]
	if !s.used {
		return
	}
	if s.level {
		ioapicMask(s.pin, true)
	}
	s.count++
	s.seq = files.NextSeq()
	pollNotify()
}

// allocIRQ claims a vector and opens a file for it.
func allocIRQ(pin int, level bool) (vector int, fd uint64, e unix.Errno) {
	for i := range irqs {
		if irqs[i].used {
			continue
		}
		irqs[i] = irqSource{used: true, cpu: irqTarget(), pin: pin, level: level}
		fd, e := openNew(kindIRQ, int32(i), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC)
		if e != 0 {
			irqs[i].used = false
			return 0, 0, e
		}
		return i + vecIRQBase, fd, 0
	}
	return 0, 0, unix.EBUSY
}

// sysIRQMSI reserves a vector for a message-signalled interrupt. It
// returns the interrupt file and stores the message (hwabi.MSI: the
// chosen CPU's local APIC address and the vector) at the first argument.
func sysIRQMSI(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if e := probeUser(f.RDI, 8, true); e != 0 {
		return 0, e
	}
	v, fd, e := allocIRQ(-1, false)
	if e != 0 {
		return 0, e
	}
	store32(f.RDI, msiAddress(cpus[irqs[v-vecIRQBase].cpu].apicID))
	store32(f.RDI+4, uint32(v))
	return fd, 0
}

// msiAddress is the MSI address that delivers to the local APIC apicID,
// fixed (not lowest-priority) in physical destination mode (SDM Vol. 3A
// §11.11.1: 0xfee, the destination ID in bits 19:12, RH and DM clear).
func msiAddress(apicID uint32) uint32 { return 0xfee00000 | apicID&0xff<<12 }

// sysIRQLine routes an interrupt line (an I/O APIC pin) and returns its
// interrupt file.
func sysIRQLine(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pin := int(f.RDI)
	if pin < 0 || pin >= ioapicPins || f.RSI&^(hwabi.IRQLineEdge|hwabi.IRQLineActiveHigh) != 0 {
		return 0, unix.EINVAL
	}
	level := f.RSI&hwabi.IRQLineEdge == 0
	for i := range irqs {
		if irqs[i].used && irqs[i].pin == pin {
			return 0, unix.EBUSY
		}
	}
	v, fd, e := allocIRQ(pin, level)
	if e != 0 {
		return 0, e
	}
	ioapicRoute(pin, uint8(v), cpus[irqs[v-vecIRQBase].cpu].apicID, level, f.RSI&hwabi.IRQLineActiveHigh == 0)
	ioapicMask(pin, false)
	return fd, 0
}

// irqRead returns how often the interrupt fired since the last read and
// unmasks a level-triggered line.
//
// Context: kernel (no allocation, no pointer stores).
func irqRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	if n < 8 {
		return 0, unix.EINVAL
	}
	s := &irqs[of.obj]
	if e := files.WaitWhile(callerEnv(), of.nonblocking(), func() bool { return s.count == 0 }); e != 0 {
		return 0, e
	}
	if e := store64(buf, s.count); e != 0 {
		return 0, e
	}
	s.count = 0
	if s.level {
		ioapicMask(s.pin, false)
	}
	return 8, 0
}

// irqRelease frees the vector of a closed interrupt file.
func irqRelease(of *openFile) {
	s := &irqs[of.obj]
	if s.pin >= 0 {
		ioapicMask(s.pin, true)
	}
	s.used = false
}
