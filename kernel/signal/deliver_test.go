package signal

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/mm/usercopy"
)

const (
	memBase   = 0x7f00_0000_0000
	memSize   = 1 << 20
	stackTop  = memBase + memSize/2 // main stack grows down from here
	altBase   = memBase + memSize*3/4
	altSize   = 32 << 10
	handlerPC = 0x45_6780
	restorer  = 0x45_9990
	xfeatures = 0x7 // x87, SSE, AVX
	xsaveLen  = 832 // legacy + header + AVX
	sigURG    = int(unix.SIGURG)
	ioplUser  = 3 << 12
)

// userFrame is an interrupted user thread with every register distinct.
func userFrame(rsp uint64) cpu.TrapFrame {
	return cpu.TrapFrame{
		R15: 15, R14: 14, R13: 13, R12: 12, R11: 11, R10: 10, R9: 9, R8: 8,
		RDI: 0xd1, RSI: 0x51, RBP: 0xb9, RBX: 0xb8, RDX: 0xd8, RCX: 0xc8, RAX: 0xa8,
		Vector: 32, RIP: 0x40_1234, CS: cpu.UserCS, SS: cpu.UserDS, RSP: rsp,
		RFLAGS: rflagsFixed | cpu.FlagIF | ioplUser | cpu.FlagCF | 1<<6 | cpu.FlagAC,
	}
}

func goAction() Action {
	// What the Go runtime installs: SA_ONSTACK|SA_SIGINFO|SA_RESTORER|SA_RESTART, full mask.
	return Action{Handler: handlerPC, Restorer: restorer, Mask: ^Set(0),
		Flags: SA_ONSTACK | SA_SIGINFO | SA_RESTORER | SA_RESTART}
}

// xsaveImage is a prepared XSAVE image with recognisable contents.
func xsaveImage(t testing.TB) []byte {
	img := make([]byte, xsaveLen)
	for i := range img {
		img[i] = byte(i*7 + 1)
	}
	le.PutUint32(img[offMXCSR:], initMXCSR|0x3f)
	le.PutUint32(img[offMXCSRMask:], 0xffff)
	le.PutUint64(img[offXStateBV:], 0x7)
	clear(img[offXStateBV+8 : xsaveMinSize])
	if err := PrepareXSave(img, xfeatures); err != nil {
		t.Fatal(err)
	}
	return img
}

// sigreturnEntry turns f into what rt_sigreturn sees: the handler
// returned into the restorer (RET popped pretcode) which did SYSCALL.
func sigreturnEntry(t *testing.T, f *cpu.TrapFrame, mem *fakeMem) {
	t.Helper()
	if ret := mem.u64(f.RSP); ret != restorer {
		t.Fatalf("pretcode %#x, want restorer %#x", ret, uint64(restorer))
	}
	f.RSP += 8
	f.RIP = restorer + 9
	f.Vector, f.ErrorCode = cpu.VectorSyscall, 0
	f.RCX, f.R11 = f.RIP, f.RFLAGS // SYSCALL clobbers them
	f.RAX = unix.SYS_RT_SIGRETURN
}

func TestDeliverReturnRoundTrip(t *testing.T) {
	for _, fpLen := range []int{0, fxsaveSize, xsaveLen} {
		mem := newMem(memBase, memSize)
		var fp []byte
		switch fpLen {
		case fxsaveSize:
			fp = xsaveImage(t)[:fxsaveSize]
		case xsaveLen:
			fp = xsaveImage(t)
		}
		orig := userFrame(stackTop - 0x1238)
		f := orig
		info := Info{Signo: int32(sigURG), Code: SI_TKILL, Pid: 1, Uid: 0}
		act := goAction()
		act.Flags &^= SA_ONSTACK
		var alt AltStack
		blocked := Set(0).Add(int(unix.SIGUSR1))
		nb, err := Deliver(&f, sigURG, &info, &act, &alt, blocked, fp, mem)
		if err != nil {
			t.Fatalf("fp %d: Deliver: %v", fpLen, err)
		}
		if nb != (^Set(0)).Blockable() {
			t.Errorf("new mask %#x", nb)
		}
		checkEntry(t, &f, &orig, sigURG, act.Handler)
		frame := f.RSP
		if frame+frameSize > orig.RSP-redZone {
			t.Errorf("frame [%#x,+%d) reaches the red zone below %#x", frame, frameSize, orig.RSP)
		}
		// The handler sees the interrupted state and the siginfo.
		var got Info
		raw, _ := mem.span(f.RSI, InfoSize)
		got, _ = DecodeInfo(raw)
		if got != info {
			t.Errorf("siginfo %+v, want %+v", got, info)
		}
		sc := f.RDX + ucMContext
		if mem.u64(sc+scRIP) != orig.RIP || mem.u64(sc+scRSP) != orig.RSP || mem.u64(sc+scRAX) != orig.RAX ||
			mem.u64(sc+scEFLAGS) != orig.RFLAGS || mem.u64(sc+scOldmask) != uint64(blocked) ||
			mem.u64(f.RDX+ucSigmask) != uint64(blocked) {
			t.Error("sigcontext does not hold the interrupted state")
		}
		if cs := mem.u64(sc+scCS) & 0xffff; cs != cpu.UserCS {
			t.Errorf("sigcontext cs %#x", cs)
		}
		fpAddr := mem.u64(sc + scFPState)
		if fpLen == 0 {
			if fpAddr != 0 {
				t.Errorf("fpstate %#x without an image", fpAddr)
			}
		} else {
			if fpAddr%64 != 0 || fpAddr < frame+frameSize || fpAddr+uint64(fpLen) > orig.RSP-redZone {
				t.Errorf("fpstate at %#x, frame %#x, rsp %#x", fpAddr, frame, orig.RSP)
			}
			if img, _ := mem.span(fpAddr, fpLen); !bytes.Equal(img, fp) {
				t.Error("fp image not copied")
			}
			wantFlags := uint64(ucSigcontextSS | ucStrictRestoreSS)
			if fpLen > fxsaveSize {
				wantFlags |= ucFPXState
				if m, _ := mem.span(fpAddr+uint64(fpLen), 4); le.Uint32(m) != fpxMagic2 {
					t.Error("no FP_XSTATE_MAGIC2 after the image")
				}
			}
			if got := mem.u64(f.RDX + ucFlags); got != wantFlags {
				t.Errorf("uc_flags %#x, want %#x", got, wantFlags)
			}
		}

		// The handler runs, clobbering registers and FPU state, and returns.
		want := append([]byte(nil), fp...)
		clobberFP(fp)
		f.RBX, f.R12, f.RFLAGS = 0xdead, 0xbeef, rflagsFixed|cpu.FlagIF|ioplUser|cpu.FlagDF
		sigreturnEntry(t, &f, mem)
		mask, err := Return(&f, mem, fp)
		if err != nil {
			t.Fatalf("Return: %v", err)
		}
		if mask != blocked {
			t.Errorf("restored mask %#x, want %#x", mask, blocked)
		}
		f.Vector, f.ErrorCode = orig.Vector, orig.ErrorCode // the kernel's, not restored
		if f != orig {
			t.Errorf("fp %d: restored frame\n%+v\nwant\n%+v", fpLen, f, orig)
		}
		if !bytes.Equal(fp, want) {
			t.Errorf("fp %d: FPU image not restored", fpLen)
		}
	}
}

// clobberFP changes what XSAVE would after the handler used the FPU: all
// but MXCSR_MASK (the CPU's) and the software-reserved bytes.
func clobberFP(img []byte) {
	for i := range img {
		if (i < offMXCSRMask || i >= offMXCSRMask+4) && (i < offSWBytes || i >= fxsaveSize) {
			img[i] ^= 0x5a
		}
	}
}

// checkEntry verifies the handler's entry state.
func checkEntry(t *testing.T, f, orig *cpu.TrapFrame, sig int, handler uint64) {
	t.Helper()
	if f.RIP != handler || f.RDI != uint64(sig) || f.RAX != 0 ||
		f.RSI != f.RSP+offInfo || f.RDX != f.RSP+offUContext {
		t.Errorf("entry rip %#x rdi %d rsi %#x rdx %#x rax %#x (rsp %#x)", f.RIP, f.RDI, f.RSI, f.RDX, f.RAX, f.RSP)
	}
	if (f.RSP+8)%16 != 0 {
		t.Errorf("rsp %#x: rsp+8 not 16-byte aligned", f.RSP)
	}
	if f.RFLAGS != orig.RFLAGS&^(cpu.FlagTF|cpu.FlagDF|cpu.FlagRF) {
		t.Errorf("rflags %#x from %#x", f.RFLAGS, orig.RFLAGS)
	}
	if f.CS != cpu.UserCS || f.SS != cpu.UserDS {
		t.Errorf("cs %#x ss %#x", f.CS, f.SS)
	}
	if f.RBX != orig.RBX || f.R15 != orig.R15 {
		t.Error("callee registers changed")
	}
}

// TestGoSigpanicInjection replays runtime.(*sigctxt).preparePanic: the Go
// handler pushes the faulting PC below the interrupted RSP and points the
// context at sigpanic; rt_sigreturn must resume there.
func TestGoSigpanicInjection(t *testing.T) {
	mem := newMem(memBase, memSize)
	alt := AltStack{SP: altBase, Size: altSize}
	orig := userFrame(stackTop - 0x800)
	orig.Vector, orig.ErrorCode = 14, 4|0 // user read of a not-present page
	f := orig
	info := Info{Signo: int32(unix.SIGSEGV), Code: SEGV_MAPERR, Addr: 0x10}
	act := goAction()
	fp := xsaveImage(t)
	if _, err := Deliver(&f, int(unix.SIGSEGV), &info, &act, &alt, 0, fp, mem); err != nil {
		t.Fatal(err)
	}
	if !alt.contains(f.RSP) {
		t.Fatalf("Go's SA_ONSTACK handler not on the alternate stack: rsp %#x", f.RSP)
	}
	// What the runtime reads.
	sc := f.RDX + ucMContext
	if mem.u64(f.RSI+offCode)&0xffffffff != SEGV_MAPERR || mem.u64(f.RSI+offUnion) != 0x10 {
		t.Error("si_code/si_addr")
	}
	if mem.u64(sc+scTrapno) != 14 || mem.u64(sc+scErr) != 4 || mem.u64(sc+scCR2) != 0x10 {
		t.Error("trapno/err/cr2")
	}
	// pushCall(sigpanic, pc).
	const sigpanic = 0x43_2100
	pc, sp := mem.u64(sc+scRIP), mem.u64(sc+scRSP)
	sp -= 8
	mem.put64(sp, pc)
	mem.put64(sc+scRSP, sp)
	mem.put64(sc+scRIP, sigpanic)

	sigreturnEntry(t, &f, mem)
	if _, err := Return(&f, mem, fp); err != nil {
		t.Fatal(err)
	}
	if f.RIP != sigpanic || f.RSP != orig.RSP-8 || mem.u64(f.RSP) != orig.RIP {
		t.Errorf("resumed at rip %#x rsp %#x [rsp]=%#x; want sigpanic, %#x, %#x",
			f.RIP, f.RSP, mem.u64(f.RSP), orig.RSP-8, orig.RIP)
	}
	if f.RBX != orig.RBX || f.RFLAGS != orig.RFLAGS {
		t.Error("other state not restored")
	}
}

// TestGoPushCallOnMainStack checks the same injection when the frame is on
// the interrupted stack: the pushed word lands in the red zone, never in
// the frame the sigreturn still has to read.
func TestGoPushCallOnMainStack(t *testing.T) {
	mem := newMem(memBase, memSize)
	orig := userFrame(stackTop)
	f := orig
	act := goAction()
	act.Flags &^= SA_ONSTACK
	fp := xsaveImage(t)
	if _, err := Deliver(&f, int(unix.SIGSEGV), &Info{Signo: int32(unix.SIGSEGV), Code: SEGV_ACCERR}, &act, nil, 0, fp, mem); err != nil {
		t.Fatal(err)
	}
	sc := f.RDX + ucMContext
	fpAddr := mem.u64(sc + scFPState)
	if fpAddr+uint64(len(fp))+fpxMagic2Size > orig.RSP-8 {
		t.Fatalf("frame top %#x overlaps the pushed word at %#x", fpAddr+uint64(len(fp)), orig.RSP-8)
	}
	mem.put64(orig.RSP-8, orig.RIP)
	mem.put64(sc+scRSP, orig.RSP-8)
	mem.put64(sc+scRIP, 0x43_2100)
	sigreturnEntry(t, &f, mem)
	if _, err := Return(&f, mem, fp); err != nil || f.RIP != 0x43_2100 || f.RSP != orig.RSP-8 {
		t.Errorf("Return %v: rip %#x rsp %#x", err, f.RIP, f.RSP)
	}
}

func TestAltStackSelection(t *testing.T) {
	alt := AltStack{SP: altBase, Size: altSize}
	act := goAction()
	info := Info{Signo: int32(sigURG), Code: SI_TKILL}
	deliver := func(rsp uint64, act Action, alt *AltStack) (cpu.TrapFrame, *fakeMem, error) {
		mem := newMem(memBase, memSize)
		f := userFrame(rsp)
		_, err := Deliver(&f, sigURG, &info, &act, alt, 0, xsaveImage(t), mem)
		return f, mem, err
	}

	// Not on it yet: switch; uc_stack records the stack.
	f, mem, err := deliver(stackTop, act, &alt)
	if err != nil || !alt.contains(f.RSP) {
		t.Fatalf("SA_ONSTACK: rsp %#x, %v", f.RSP, err)
	}
	if raw, _ := mem.span(f.RDX+ucStack, AltStackSize); true {
		if got, _ := DecodeAltStack(raw); got != alt {
			t.Errorf("uc_stack %+v, want %+v", got, alt)
		}
	}
	// The frame sits at the top of the alternate stack.
	if top := uint64(altBase + altSize); top-f.RSP > frameSize+xsaveLen+fpxMagic2Size+64+16 {
		t.Errorf("frame %#x far below the top %#x", f.RSP, top)
	}

	// Without SA_ONSTACK: the normal stack, uc_stack still records alt.
	noOn := act
	noOn.Flags &^= SA_ONSTACK
	f, mem, _ = deliver(stackTop, noOn, &alt)
	if f.RSP > stackTop-redZone || f.RSP < stackTop-8192 {
		t.Errorf("no SA_ONSTACK: rsp %#x", f.RSP)
	}
	raw, _ := mem.span(f.RDX+ucStack, AltStackSize)
	if got, _ := DecodeAltStack(raw); got != alt {
		t.Errorf("uc_stack %+v", got)
	}

	// Disabled: the normal stack, uc_stack says SS_DISABLE.
	f, mem, _ = deliver(stackTop, act, &AltStack{})
	raw, _ = mem.span(f.RDX+ucStack, AltStackSize)
	if got, _ := DecodeAltStack(raw); f.RSP > stackTop || got != (AltStack{Flags: SS_DISABLE}) {
		t.Errorf("disabled: rsp %#x uc_stack %+v", f.RSP, got)
	}

	// Nested: already on the alternate stack, continue below the red zone.
	inner := uint64(altBase + altSize - 4096)
	f, _, err = deliver(inner, act, &alt)
	if err != nil || f.RSP >= inner-redZone || !alt.contains(f.RSP) {
		t.Errorf("nested: rsp %#x, %v", f.RSP, err)
	}

	// Nested with no room left: refused rather than overflowing.
	orig := userFrame(altBase + 1024)
	f = orig
	m := newMem(memBase, memSize)
	if _, err := Deliver(&f, sigURG, &info, &act, &alt, 0, xsaveImage(t), m); !errors.Is(err, unix.EFAULT) || f != orig {
		t.Errorf("alt stack overflow: %v", err)
	}
	// Entering a too-small stack is refused as well.
	small := AltStack{SP: altBase, Size: 1024}
	if _, _, err := deliver(stackTop, act, &small); !errors.Is(err, unix.EFAULT) {
		t.Errorf("tiny alt stack: %v", err)
	}

	// SS_AUTODISARM: used once, then disarmed; uc_stack keeps the old one.
	auto := AltStack{SP: altBase, Size: altSize, Flags: SS_AUTODISARM}
	f, mem, err = deliver(stackTop, act, &auto)
	if err != nil || f.RSP < altBase || auto != (AltStack{Flags: SS_DISABLE}) {
		t.Errorf("autodisarm: rsp %#x alt %+v %v", f.RSP, auto, err)
	}
	raw, _ = mem.span(f.RDX+ucStack, AltStackSize)
	if got, _ := DecodeAltStack(raw); got.SP != altBase || got.Flags != SS_AUTODISARM {
		t.Errorf("autodisarm uc_stack %+v", got)
	}
}

func TestAlignment(t *testing.T) {
	act := goAction()
	act.Flags &^= SA_ONSTACK
	for _, fpLen := range []int{0, fxsaveSize, xsaveLen, xsaveLen + 8} {
		for d := uint64(0); d < 128; d++ {
			mem := newMem(memBase, memSize)
			var fp []byte
			if fpLen > 0 {
				fp = make([]byte, fpLen)
				if fpLen > fxsaveSize {
					PrepareXSave(fp, xfeatures)
				}
			}
			f := userFrame(stackTop - d)
			if _, err := Deliver(&f, sigURG, &Info{}, &act, nil, 0, fp, mem); err != nil {
				t.Fatal(err)
			}
			fpAddr := mem.u64(f.RDX + ucMContext + scFPState)
			end := f.RSP + frameSize
			if fpLen > 0 {
				end = fpAddr + uint64(fpLen)
				if fpLen > fxsaveSize {
					end += fpxMagic2Size
				}
			}
			if (f.RSP+8)%16 != 0 || fpAddr%64 != 0 || end > stackTop-d-redZone ||
				(fpLen > 0 && fpAddr < f.RSP+frameSize) {
				t.Fatalf("rsp %#x fp %#x len %d from %#x", f.RSP, fpAddr, fpLen, stackTop-d)
			}
		}
	}
}

// TestMatchesLinux replays frames measured on Linux 6.x (x86-64, XSAVE
// image of 832 bytes): a C handler recorded its entry RSP and fpstate
// pointer for signals raised by a raw tgkill at known stack pointers.
func TestMatchesLinux(t *testing.T) {
	cases := []struct {
		rsp                 uint64 // at the SYSCALL
		rspToFrame, rspToFP uint64
	}{
		{stackTop + 8, 1424, 968},
		{stackTop, 1480, 1024},
		{stackTop - 8, 1472, 1016},
		{stackTop - 16, 1464, 1008},
	}
	act := goAction()
	act.Flags &^= SA_ONSTACK
	for _, c := range cases {
		mem := newMem(memBase, memSize)
		f := userFrame(c.rsp)
		if _, err := Deliver(&f, sigURG, &Info{}, &act, nil, 0, xsaveImage(t), mem); err != nil {
			t.Fatal(err)
		}
		fp := mem.u64(f.RDX + ucMContext + scFPState)
		if c.rsp-f.RSP != c.rspToFrame || c.rsp-fp != c.rspToFP {
			t.Errorf("rsp %#x: frame at -%d, fpstate at -%d; Linux: -%d, -%d",
				c.rsp, c.rsp-f.RSP, c.rsp-fp, c.rspToFrame, c.rspToFP)
		}
	}
	// On an alternate stack whose top is 32 mod 64: frame 1320 and
	// fpstate 864 below the top; uc_flags 7.
	alt := AltStack{SP: altBase + 32, Size: altSize}
	mem := newMem(memBase, memSize)
	f := userFrame(stackTop)
	act.Flags |= SA_ONSTACK
	if _, err := Deliver(&f, sigURG, &Info{}, &act, &alt, 0, xsaveImage(t), mem); err != nil {
		t.Fatal(err)
	}
	top := alt.SP + alt.Size
	if top-f.RSP != 1320 || top-mem.u64(f.RDX+ucMContext+scFPState) != 864 || mem.u64(f.RDX+ucFlags) != 7 {
		t.Errorf("alt stack: frame at top-%d, fpstate at top-%d", top-f.RSP, top-mem.u64(f.RDX+ucMContext+scFPState))
	}
}

func TestMask(t *testing.T) {
	mem := newMem(memBase, memSize)
	act := Action{Handler: handlerPC, Restorer: restorer, Flags: SA_RESTORER,
		Mask: Bit(int(unix.SIGUSR2)) | Unblockable}
	f := userFrame(stackTop)
	blocked := Bit(int(unix.SIGUSR1))
	nb, err := Deliver(&f, sigURG, &Info{}, &act, nil, blocked, nil, mem)
	if err != nil || nb != blocked|Bit(int(unix.SIGUSR2))|Bit(sigURG) {
		t.Errorf("mask %#x, %v", nb, err)
	}
	act.Flags |= SA_NODEFER
	f = userFrame(stackTop)
	if nb, _ := Deliver(&f, sigURG, &Info{}, &act, nil, blocked, nil, mem); nb.Has(sigURG) || !nb.Has(int(unix.SIGUSR2)) {
		t.Errorf("SA_NODEFER mask %#x", nb)
	}
	// Without SA_SIGINFO the siginfo slot is left blank.
	f = userFrame(stackTop)
	Deliver(&f, sigURG, &Info{Signo: 99, Code: 5}, &act, nil, 0, nil, mem)
	if mem.u64(f.RSI) != 0 {
		t.Error("siginfo written without SA_SIGINFO")
	}
}

func TestDeliverErrors(t *testing.T) {
	act := goAction()
	info := Info{}
	img := xsaveImage(t)
	cases := []struct {
		name string
		rsp  uint64
		sig  int
		act  Action
		fp   []byte
		ro   bool
		want error
	}{
		{"bad signal", stackTop, 0, act, img, false, unix.EINVAL},
		{"signal 65", stackTop, 65, act, img, false, unix.EINVAL},
		{"no restorer", stackTop, sigURG, Action{Handler: handlerPC, Flags: SA_SIGINFO}, img, false, unix.EFAULT},
		{"fp length", stackTop, sigURG, act, img[:600], false, unix.EINVAL},
		{"fp short", stackTop, sigURG, act, img[:100], false, unix.EINVAL},
		{"xsave not prepared", stackTop, sigURG, act, make([]byte, xsaveLen), false, unix.EINVAL},
		{"unmapped stack", 0x1000, sigURG, act, img, false, unix.EFAULT},
		{"stack near 0", 0x100, sigURG, act, img, false, unix.EFAULT},
		{"read-only stack", stackTop, sigURG, act, img, true, unix.EFAULT},
	}
	for _, c := range cases {
		mem := newMem(memBase, memSize)
		if c.ro {
			mem.roLo, mem.roHi = stackTop-4096, stackTop
		}
		orig := userFrame(c.rsp)
		f := orig
		a := c.act
		a.Flags &^= SA_ONSTACK
		nb, err := Deliver(&f, c.sig, &info, &a, nil, 7, c.fp, mem)
		if !errors.Is(err, c.want) || f != orig || nb != 7 {
			t.Errorf("%s: err %v (want %v), mask %#x, frame changed %v", c.name, err, c.want, nb, f != orig)
		}
	}
	kf := userFrame(stackTop)
	kf.CS = cpu.KernelCS
	if _, err := Deliver(&kf, sigURG, &info, &act, nil, 0, nil, newMem(memBase, memSize)); !errors.Is(err, unix.EINVAL) {
		t.Errorf("kernel frame: %v", err)
	}
	f := userFrame(stackTop)
	if _, err := Deliver(&f, sigURG, nil, &act, nil, 0, nil, newMem(memBase, memSize)); err == nil {
		t.Error("nil info accepted")
	}
	if _, err := Deliver(&f, sigURG, &info, nil, nil, 0, nil, newMem(memBase, memSize)); err == nil {
		t.Error("nil action accepted")
	}
}

func TestNoAllocations(t *testing.T) {
	mem := newMem(memBase, memSize)
	fp := xsaveImage(t)
	act := goAction()
	alt := AltStack{SP: altBase, Size: altSize}
	info := Info{Signo: int32(sigURG), Code: SI_TKILL}
	var um usercopy.Space = mem
	allocs := testing.AllocsPerRun(100, func() {
		f := userFrame(stackTop)
		if _, err := Deliver(&f, sigURG, &info, &act, &alt, 0, fp, um); err != nil {
			t.Fatal(err)
		}
		f.RSP += 8
		if _, err := Return(&f, um, fp); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Deliver+Return allocate %v times", allocs)
	}
}
