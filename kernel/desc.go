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

// setupInterruptStacks maps the IST stacks; it needs the kernel's page
// tables.
//
// Context: kernel (no allocation, no pointer stores).
func setupInterruptStacks() {
	for i := 1; i <= istCount; i++ {
		top, ok := mapKernelStack(maxThreads + int32(i))
		if !ok {
			bootFail("no memory for the interrupt stacks")
		}
		tss.SetIST(i, top)
	}
}

var (
	gdt [7]uint64
	tss cpu.TSS
	idt [256]cpu.Gate
)

// vectorStubs returns the table of each vector's entry stub address
// (vectors_amd64.s).
func vectorStubs() *[256]uint64

// setupDescriptors loads Warren's GDT, TSS and IDT, as seen at the image's
// own addresses plus base: 0 at boot, then aliasBase (alias.go). Loading
// them again is possible because the TSS descriptor is rewritten as not
// busy.
//
// Context: kernel (no allocation, no pointer stores).
func setupDescriptors(base uint64) {
	gdt[1] = cpu.DescKernelCode
	gdt[2] = cpu.DescKernelData
	gdt[3] = cpu.DescUserData
	gdt[4] = cpu.DescUserCode
	gdt[5], gdt[6] = cpu.TSSDescriptor(base+addrOfTSS(), uint32(len(tss)-1))
	tss.SetNoIOBitmap()
	loadGDT(base)
	cpu.ReloadSegments(cpu.KernelCS, cpu.KernelDS)
	cpu.Ltr(cpu.TSSSel)

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

	vecTimer    = 32 // LAPIC timer
	vecIRQBase  = 48 // IOAPIC lines and MSIs start here
	vecSpurious = 255
)
