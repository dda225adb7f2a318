package kernel

import (
	"warren.dev/boot/multiboot"
	"warren.dev/kernel/acpi"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/trampoline"
	"warren.dev/mm/pagetable"
)

// Application processors. kmain finds them in the MADT and starts each in
// turn with INIT-SIPI-SIPI through the trampoline (kernel/trampoline),
// which brings it into long mode at apStart64 (boot64_amd64.s); apMain gives
// it its own GDT, TSS, SYSCALL entry and local APIC timer, marks it online
// and makes it run threads like the boot CPU (docs/smp.md).

// madt is read with the other ACPI tables (readACPI); with none, Warren
// runs on the boot CPU.
var madt acpi.MADT

// trampolinePage is the page below 1 MiB the trampoline is written to
// (0: none was free). setupMemory maps it executable; the frame allocator
// never hands it out, since it reserves all memory below 1 MiB.
var trampolinePage uint64

// What apStart64 and apMain read for the processor being started: its
// record's index and stack, and the boot CPU's control registers.
var (
	apStarting   int
	apStack      uint64
	apCR0, apCR4 uint64
)

// apStartTimeout bounds the wait for one processor after its start-up IPIs.
const apStartTimeout = 1_000_000_000 // ns

// trampolineFrame returns the highest page below 1 MiB, page 0 aside (the
// direct map leaves it out), that lies in RAM and in no boot module:
// memory whose contents nothing reads once the boot information is
// parsed.
//
// Context: kernel (no allocation, no pointer stores).
func trampolineFrame(ram []multiboot.Range, mods []multiboot.Module) (uint64, bool) {
	best, found := uint64(0), false
	for _, r := range ram {
		lo := max((r.Start+pageSize-1)&^(pageSize-1), pageSize)
		for p := min(r.End, lowMemory) &^ (pageSize - 1); p >= lo+pageSize; {
			p -= pageSize
			if found && p <= best {
				break
			}
			if !inModule(p, mods) {
				best, found = p, true
				break
			}
		}
	}
	return best, found
}

func inModule(p uint64, mods []multiboot.Module) bool {
	for _, m := range mods {
		if p < m.End && m.Start < p+pageSize {
			return true
		}
	}
	return false
}

// mapTrampoline picks the trampoline's page and makes it executable in
// the kernel's tables: a processor enables paging on them while it runs
// there.
//
// Context: kernel (no allocation, no pointer stores).
func mapTrampoline(info *multiboot.Info) {
	p, ok := trampolineFrame(ramRanges[:nRAM], info.ModuleList())
	if !ok {
		return
	}
	if err := kernelTables.SetFlags(p, pagetable.Present|pagetable.Writable); err != nil {
		return
	}
	trampolinePage = p
}

// startAPs starts every enabled processor the MADT lists, one at a time,
// and says which CPUs are online. It runs on the boot CPU once its local
// APIC, the clock and the kernel's tables are up.
//
// Context: kernel (no allocation, no pointer stores).
func startAPs() {
	boot := &cpus[bootCPU]
	boot.apicID = lapicRead(lapicID) >> 24
	boot.online.Store(1)
	ncpus = 1
	if madt.NumCPUs > 1 {
		switch {
		case !haveRDTSCP:
			logs("cpus: the CPU lacks RDTSCP; running on the boot CPU only")
		case trampolinePage == 0:
			logs("cpus: no free page below 1 MiB for the trampoline; running on the boot CPU only")
		default:
			startEach(boot.apicID)
		}
	}
	if ncpus > 1 {
		lockSpinTicks = nanosToTSC(lockSpin)
	}
	var l line
	l.s("warren: cpus: ").u(uint64(ncpus)).s(" online (APIC IDs ")
	for c := range ncpus {
		if c > 0 {
			l.s(", ")
		}
		l.u(uint64(cpus[c].apicID))
	}
	l.s(")")
	if madt.DroppedCPUs > 0 {
		l.s("; ").u(uint64(madt.DroppedCPUs)).s(" more left out")
	}
	l.put()
}

// startEach writes the trampoline and starts the processors other than
// the boot CPU, giving each the next record.
//
// Context: kernel (no allocation, no pointer stores).
func startEach(bootID uint32) {
	code := (*[trampoline.Size]byte)(physBytes(trampolinePage, trampoline.Size))
	if err := trampoline.Build(code, trampolinePage, kernelCR3, apStart64Addr()); err != nil {
		logs(err.Error())
		return
	}
	apCR0, apCR4 = cpu.ReadCR0(), cpu.ReadCR4()
	for _, a := range madt.CPUs[:madt.NumCPUs] {
		if a.ID == bootID {
			continue
		}
		var l line
		switch {
		case a.ID >= 0xff: // the xAPIC's destination field has 8 bits, 0xff broadcasts
			l.s("warren: cpus: APIC ID ").u(uint64(a.ID)).s(" needs x2APIC mode; not started").put()
		case !mapCPUStacks(ncpus):
			l.s("warren: cpus: no memory for the stacks of APIC ID ").u(uint64(a.ID)).put()
			return
		case !startAP(ncpus, a.ID):
			l.s("warren: cpus: cpu ").u(uint64(ncpus)).s(" (APIC ID ").u(uint64(a.ID)).s(") did not come up").put()
		default:
			ncpus++
		}
	}
}

// startAP sends processor id INIT and start-up IPIs (SDM Vol. 3A
// §9.4.4.1: INIT, 10 ms, SIPI, 200 µs, SIPI) and waits for it to mark
// record c online. One that does not within apStartTimeout gets INIT
// again, which leaves it waiting for a start-up IPI: it cannot come up
// later on a stack given to the next. The 10 ms after INIT is for
// processors older than family 6 (the P6 and later, and every CPU a
// hypervisor shows, are ready for the SIPI at once, as Linux also
// assumes); it would be 30 ms of a -smp 4 boot.
//
// Context: kernel (no allocation, no pointer stores).
func startAP(c int, id uint32) bool {
	r := &cpus[c]
	r.apicID = id
	apStarting, apStack = c, r.stack
	sipi := icrStartup | uint32(trampolinePage>>12)
	sendIPI(id, icrInit|icrAssert)
	if cpuFamily < 6 {
		delay(10_000_000)
	}
	sendIPI(id, sipi)
	if waitOnline(r, 200_000) {
		return true
	}
	sendIPI(id, sipi)
	if waitOnline(r, apStartTimeout) {
		return true
	}
	sendIPI(id, icrInit|icrAssert)
	return false
}

// waitOnline waits up to ns nanoseconds for r's processor to come online.
//
// Context: kernel (no allocation, no pointer stores).
func waitOnline(r *cpuRecord, ns uint64) bool {
	start, limit := cpu.Rdtsc(), nanosToTSC(ns)
	for r.online.Load() == 0 {
		if cpu.Rdtsc()-start > limit {
			return false
		}
		cpu.Pause()
	}
	return true
}

// apMain is where an application processor enters Go, called by
// apStart64 on its own stack with the kernel's page tables, the boot
// CPU's CR0 and CR4, and interrupts off. It sets up what is its own, says
// it is online and becomes its idle thread (thread slot c), which waits
// for the kernel lock: the boot CPU holds it until it idles itself.
//
// Context: kernel (no allocation, no pointer stores).
func apMain() {
	c := apStarting
	cpu.Xsetbv(0, xcr0)
	cpu.Wrmsr(msrTSCAux, uint64(c))
	loadCPUDescriptors(c, aliasBase)
	loadIDT(aliasBase)
	loadSyscallMSRs(c)
	enableLAPIC()
	lapicWrite(lapicDivide, divideBy16)
	lapicWrite(lapicLVTTimer, vecTimer) // one-shot, unmasked
	t := &threads[c]
	t.state, t.cpu = threadRunning, int32(c)
	cpus[c].cur = int32(c)
	cpus[c].online.Store(1)
	lockKernel(c)
	idle()
}
