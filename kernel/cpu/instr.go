package cpu

// Port I/O.

// Outb writes an 8-bit value to an I/O port.
func Outb(port uint16, v uint8)

// Inb reads an 8-bit value from an I/O port.
func Inb(port uint16) uint8

// Outw writes a 16-bit value to an I/O port.
func Outw(port uint16, v uint16)

// Inw reads a 16-bit value from an I/O port.
func Inw(port uint16) uint16

// Outl writes a 32-bit value to an I/O port.
func Outl(port uint16, v uint32)

// Inl reads a 32-bit value from an I/O port.
func Inl(port uint16) uint32

// Model-specific and control registers.

// Rdmsr reads a model-specific register.
func Rdmsr(msr uint32) uint64

// Wrmsr writes a model-specific register.
func Wrmsr(msr uint32, v uint64)

// ReadCR0 returns CR0.
func ReadCR0() uint64

// WriteCR0 sets CR0.
func WriteCR0(v uint64)

// ReadCR2 returns CR2, the linear address of the last page fault.
func ReadCR2() uint64

// ReadCR3 returns CR3, the physical address of the page-table root.
func ReadCR3() uint64

// WriteCR3 switches page tables and flushes non-global TLB entries.
func WriteCR3(v uint64)

// ReadCR4 returns CR4.
func ReadCR4() uint64

// WriteCR4 sets CR4.
func WriteCR4(v uint64)

// Xgetbv reads extended control register n.
func Xgetbv(n uint32) uint64

// Xsetbv writes extended control register n.
func Xsetbv(n uint32, v uint64)

// Invlpg drops the TLB entry for one linear address.
func Invlpg(va uint64)

// Cpuid executes CPUID with leaf and subleaf.
func Cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// Rdtsc returns the time-stamp counter.
func Rdtsc() uint64

// Rdtscp returns the time-stamp counter and IA32_TSC_AUX, which the
// kernel sets to each CPU's index.
func Rdtscp() (tsc uint64, aux uint32)

// Rdrand returns a hardware random number; ok is false when the DRNG had
// none ready (the caller retries).
func Rdrand() (v uint64, ok bool)

// Rdseed is like Rdrand but returns conditioned entropy-source output.
func Rdseed() (v uint64, ok bool)

// Halt enables interrupts and halts until the next one arrives, then
// disables interrupts again. Interrupt handlers clobber vector registers,
// which is why halting happens only inside this call.
func Halt()

// TripleFault resets the processor the one way every x86 machine has:
// it loads an empty IDT and raises an exception, which cannot be
// delivered, nor can the double fault that follows. A VMM stops or
// restarts the machine (QEMU with -no-reboot stops it).
func TripleFault()

// DisableInterrupts clears RFLAGS.IF.
func DisableInterrupts()

// Lgdt loads the GDT register from a 10-byte pseudo-descriptor at p.
func Lgdt(p uintptr)

// Lidt loads the IDT register from a 10-byte pseudo-descriptor at p.
func Lidt(p uintptr)

// Ltr loads the task register.
func Ltr(sel uint16)

// ReloadSegments loads CS with cs (by a far return) and DS, ES, SS with
// ds. FS and GS are left alone: loading a selector into them may clear
// their base registers, and Go finds g through the FS base.
func ReloadSegments(cs, ds uint16)

// Xsave saves the extended state selected by XCR0 into the 64-byte aligned
// area at p.
func Xsave(p uintptr)

// Xrstor restores extended state from the area at p.
func Xrstor(p uintptr)

// Pause hints a spin-wait loop.
func Pause()
