package kernel

import "warren.dev/kernel/cpu"

// Interrupt stacks (TSS IST slots) for exceptions that must not run on a
// possibly broken stack. They live in the kernel-stack region, after the
// thread slots, each above an unmapped guard like a thread's stack.
const (
	istDoubleFault = 1
	istNMI         = 2
	istMachineChk  = 3
	istCount       = 3
)

// cpuStackSlot is the kernel-stack slot of CPU c's stack k: 0 its own
// stack (an application processor's; the boot CPU runs on bootStack),
// 1..istCount its interrupt stacks. They follow the thread slots.
func cpuStackSlot(c, k int) int32 { return maxThreads + int32(c*(istCount+1)+k) }

// mapCPUStacks maps CPU c's stacks and points its TSS's IST slots at the
// interrupt stacks; it needs the kernel's page tables. An application
// processor's are mapped once: a record whose processor failed to start
// is reused, stacks and all, for the next.
//
// Context: kernel (no allocation, no pointer stores).
func mapCPUStacks(c int) bool {
	r := &cpus[c]
	if r.stack != 0 {
		return true
	}
	for k := 1; k <= istCount; k++ {
		top, ok := mapKernelStack(cpuStackSlot(c, k))
		if !ok {
			return false
		}
		r.tss.SetIST(k, top)
	}
	if c != bootCPU {
		top, ok := mapKernelStack(cpuStackSlot(c, 0))
		if !ok {
			return false
		}
		r.stack = top // last: it marks the stacks mapped
	}
	return true
}

// idt is shared by every CPU; each has its own GDT and TSS (cpuRecord).
var idt [256]cpu.Gate

// vectorStubs returns the table of each vector's entry stub address
// (vectors_amd64.s).
func vectorStubs() *[256]uint64

// setupDescriptors loads the boot CPU's GDT and TSS and the IDT, as seen
// at the image's own addresses plus base: 0 at boot, then aliasBase
// (alias.go).
//
// Context: kernel (no allocation, no pointer stores).
func setupDescriptors(base uint64) {
	loadCPUDescriptors(bootCPU, base)
	stubs := vectorStubs()
	for v := range idt {
		var ist uint8
		switch v {
		case vecDoubleFault:
			ist = istDoubleFault
		case vecNMI:
			ist = istNMI
		case vecMachineCheck:
			ist = istMachineChk
		}
		typ := uint8(cpu.GateInterrupt)
		if v == vecBreakpoint || v == vecOverflow {
			typ = cpu.GateUserTrap // int3 and into from user code raise SIGTRAP/SIGSEGV as on Linux
		}
		idt[v] = cpu.MakeGate(base+stubs[v], cpu.KernelCS, ist, typ)
	}
	loadIDT(base)
}

// loadCPUDescriptors loads CPU c's GDT and TSS at base plus their
// addresses. Loading them again is possible because the TSS descriptor
// is rewritten as not busy.
//
// Context: kernel (no allocation, no pointer stores).
func loadCPUDescriptors(c int, base uint64) {
	r := &cpus[c]
	r.gdt[1] = cpu.DescKernelCode
	r.gdt[2] = cpu.DescKernelData
	r.gdt[3] = cpu.DescUserData
	r.gdt[4] = cpu.DescUserCode
	r.gdt[5], r.gdt[6] = cpu.TSSDescriptor(base+addrOfTSS(c), uint32(len(r.tss)-1))
	r.tss.SetNoIOBitmap()
	loadGDT(c, base)
	cpu.ReloadSegments(cpu.KernelCS, cpu.KernelDS)
	cpu.Ltr(cpu.TSSSel)
}

// Exception vectors (SDM Vol. 3A Table 6-1) and Warren's interrupt vectors.
const (
	vecDivide       = 0
	vecDebug        = 1
	vecNMI          = 2
	vecBreakpoint   = 3
	vecOverflow     = 4
	vecBound        = 5
	vecInvalidOp    = 6
	vecNoDevice     = 7
	vecDoubleFault  = 8
	vecInvalidTSS   = 10
	vecSegment      = 11
	vecStack        = 12
	vecGP           = 13
	vecPageFault    = 14
	vecFPU          = 16
	vecAlignment    = 17
	vecMachineCheck = 18
	vecSIMD         = 19

	vecTimer   = 32 // LAPIC timer
	vecIRQBase = 48 // IOAPIC lines and MSIs start here
	// vecIRQEnd ends the device vectors. The interprocessor interrupts
	// that a CPU waiting in kernel context must take (klock.go) lie
	// above, in the highest priority class (a vector's top four bits):
	// the local APIC holds back an interrupt whose class is not above
	// that of one still in service, and a CPU may wait for the lock in
	// the middle of serving a device's or the timer's.
	vecIRQEnd   = 0xf0
	vecSpurious = 255
)
