package kernel

import (
	"warren.dev/boot/multiboot"
	"warren.dev/boot/pvh"
	"warren.dev/drivers/uart"
	"warren.dev/kernel/cpu"
)

var console = uart.Port{Base: com1Port}

// Exit statuses of the machine besides the program's own.
const (
	exitBootFailure   = 254 // the kernel could not start the program
	exitKernelFailure = 255 // a kernel fault or an impossible state
)

var bootInfo multiboot.Info

// kmain runs on the boot stack with the boot page tables, before the Go
// runtime exists. The entry code passes the boot loader's information
// structure, its magic (Multiboot's or PVH's: the entry code lets no other
// through) and the address of the boot header. It sets the machine up
// holding the kernel lock, starts the program's first thread and becomes
// the boot CPU's idle thread.
//
// Context: kernel (no allocation, no pointer stores). Pointer stores are
// allowed here only: the runtime has not started.
func kmain(info uintptr, magic uint32, header uintptr) {
	lockKernel(bootCPU)       // the application processors wait for it until idle releases it
	kernelCR3 = cpu.ReadCR3() // the boot tables, until setupMemory
	trapBodyPC, trapExitPC = trapBodyAddr(), trapExitAddr()
	console.Init()
	setupCPU()
	setupDescriptors(0)
	if !parseImageSegments(physBytes(imageBase, pageSize), physBytes(uint64(header), mbHeaderLen)) {
		bootFail("the image at 1 MiB has no ELF program headers or boot header")
	}
	parse := multiboot.Parse
	if magic == pvh.Magic {
		parse = pvh.Parse
	}
	if err := parse(physMemory{}, uint64(info), &bootInfo); err != nil {
		bootFail(err.Error())
	}
	parseCmdline(bootInfo.Cmdline, bootInfo.LoaderName)
	readACPI(&bootInfo)
	setupMemory(&bootInfo)
	setupVDSO()
	if !mapCPUStacks(bootCPU) {
		bootFail("no memory for the interrupt stacks")
	}
	moveEntryToAlias()
	initProcesses()
	initLimits()
	mountInitrd(&bootInfo)
	findProgramExe()
	serveIdentityFiles()
	initClock()
	mountTmpfs()
	disablePIC()
	initLAPIC()
	initIOAPIC()
	startAPs()
	setupSyscalls()
	openConsoleFDs(0)
	startProgram()
	idle()
}

// bootFail reports why the kernel cannot start and stops the machine.
//
// Context: kernel (no allocation, no pointer stores).
func bootFail(why string) {
	var l line
	l.s("warren: boot failed: ").s(why).put()
	powerOff(exitBootFailure)
}

// setupSyscalls points the boot CPU's SYSCALL at its entry stub and
// installs the table.
//
// Context: kernel (no allocation, no pointer stores).
func setupSyscalls() {
	loadSyscallMSRs(bootCPU)
	if err := install(runtimeSyscalls[:]); err != nil {
		bootFail(err.Error())
	}
}

// loadSyscallMSRs points SYSCALL on CPU c, which runs it, at CPU c's
// entry stub, which finds the CPU's kernel stack without a spare register.
//
// Context: kernel (no allocation, no pointer stores).
func loadSyscallMSRs(c int) {
	const (
		msrSTAR   = 0xc0000081
		msrLSTAR  = 0xc0000082
		msrFMASK  = 0xc0000084
		fmaskBits = cpu.FlagIF | cpu.FlagDF | cpu.FlagTF | cpu.FlagAC | cpu.FlagNT
	)
	// STAR: kernel CS/SS from 0x08; SYSRET would use 0x10+16|3 (user CS)
	// and 0x10+8|3 (user SS), matching the GDT order.
	cpu.Wrmsr(msrSTAR, uint64(cpu.KernelDS)<<48|uint64(cpu.KernelCS)<<32)
	cpu.Wrmsr(msrLSTAR, aliasOf(syscallStubs()[c]))
	cpu.Wrmsr(msrFMASK, fmaskBits)
}
