package signal

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// delivered returns memory holding a frame delivered for f, and f as
// rt_sigreturn sees it.
func delivered(t *testing.T, fp []byte) (*fakeMem, cpu.TrapFrame, uint64) {
	t.Helper()
	mem := newMem(memBase, memSize)
	f := userFrame(stackTop)
	act := goAction()
	act.Flags &^= SA_ONSTACK
	if _, err := Deliver(&f, sigURG, &Info{}, &act, nil, 0, fp, mem); err != nil {
		t.Fatal(err)
	}
	sc := f.RDX + ucMContext
	sigreturnEntry(t, &f, mem)
	return mem, f, sc
}

func TestReturnSanitizesFlagsAndSegments(t *testing.T) {
	mem, f, sc := delivered(t, nil)
	mem.put64(sc+scEFLAGS, ^uint64(0)) // every bit set, IOPL 3 included
	mem.put64(sc+scCS, 0x0010_0008)    // cs = kernel CS, ss = kernel DS
	mem.put64(f.RSP+ucSigmask, ^uint64(0))
	f.RFLAGS = rflagsFixed | cpu.FlagIF // current IOPL 0
	mask, err := Return(&f, mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.RFLAGS != userFlags|cpu.FlagIF|rflagsFixed {
		t.Errorf("rflags %#x, want %#x", f.RFLAGS, userFlags|cpu.FlagIF|rflagsFixed)
	}
	if f.CS != cpu.UserCS || f.SS != cpu.UserDS {
		t.Errorf("cs %#x ss %#x", f.CS, f.SS)
	}
	if mask != (^Set(0)).Blockable() || mask.Has(int(unix.SIGKILL)) || mask.Has(int(unix.SIGSTOP)) {
		t.Errorf("mask %#x", mask)
	}

	// Clearing everything keeps IF and the kernel's IOPL.
	mem, f, sc = delivered(t, nil)
	mem.put64(sc+scEFLAGS, 0)
	f.RFLAGS = rflagsFixed | cpu.FlagIF | ioplUser | cpu.FlagCF
	Return(&f, mem, nil)
	if f.RFLAGS != rflagsFixed|cpu.FlagIF|ioplUser {
		t.Errorf("rflags %#x", f.RFLAGS)
	}
}

func TestReturnFPState(t *testing.T) {
	// A valid image comes back exactly (round trip test); here the user
	// corrupts it.
	fp := xsaveImage(t)
	mem, f, sc := delivered(t, fp)
	addr := mem.u64(sc + scFPState)
	img, _ := mem.span(addr, xsaveLen)
	le.PutUint32(img[offMXCSR:], 0xffff_ffff)   // reserved MXCSR bits: #GP
	le.PutUint32(img[offMXCSRMask:], 0)         // not the user's to change
	le.PutUint64(img[offXStateBV:], ^uint64(0)) // features XCR0 lacks: #GP
	le.PutUint64(img[offXStateBV+8:], 1<<63)    // compacted form
	img[xsaveMinSize-1] = 1                     // reserved header byte
	if _, err := Return(&f, mem, fp); err != nil {
		t.Fatal(err)
	}
	if m := le.Uint32(fp[offMXCSR:]); m != 0xffff {
		t.Errorf("mxcsr %#x", m)
	}
	if m := le.Uint32(fp[offMXCSRMask:]); m != 0xffff {
		t.Errorf("mxcsr_mask %#x", m)
	}
	if bv := le.Uint64(fp[offXStateBV:]); bv != xfeatures {
		t.Errorf("xstate_bv %#x, want %#x", bv, xfeatures)
	}
	for i := offXStateBV + 8; i < xsaveMinSize; i++ {
		if fp[i] != 0 {
			t.Fatalf("header byte %d = %#x", i, fp[i])
		}
	}
	if !swValid(fp) || swFeatures(fp) != xfeatures {
		t.Error("kernel software bytes lost")
	}

	// A user copy without its magic restores x87 and SSE only.
	fp = xsaveImage(t)
	mem, f, sc = delivered(t, fp)
	addr = mem.u64(sc + scFPState)
	mem.put64(addr+xsaveLen, 0) // magic2
	if _, err := Return(&f, mem, fp); err != nil || le.Uint64(fp[offXStateBV:]) != xfeatFPSSE {
		t.Errorf("no magic2: xstate_bv %#x, %v", le.Uint64(fp[offXStateBV:]), err)
	}

	// The user's sw xfeatures may narrow the set, never widen it.
	fp = xsaveImage(t)
	PrepareXSave(fp, 0x3)
	le.PutUint64(fp[offXStateBV:], 0x3)
	mem, f, sc = delivered(t, fp)
	img, _ = mem.span(mem.u64(sc+scFPState), xsaveLen)
	le.PutUint64(img[offSWBytes+8:], 0xff)
	le.PutUint64(img[offXStateBV:], 0xff)
	Return(&f, mem, fp)
	if bv := le.Uint64(fp[offXStateBV:]); bv != 0x3 {
		t.Errorf("widened xstate_bv %#x", bv)
	}

	// A null pointer resets the FPU, as Linux does.
	fp = xsaveImage(t)
	mem, f, sc = delivered(t, fp)
	mem.put64(sc+scFPState, 0)
	if _, err := Return(&f, mem, fp); err != nil {
		t.Fatal(err)
	}
	if le.Uint16(fp) != initFCW || le.Uint32(fp[offMXCSR:]) != initMXCSR ||
		le.Uint64(fp[offXStateBV:]) != 0 || !swValid(fp) || le.Uint32(fp[offMXCSRMask:]) != 0xffff {
		t.Error("null fpstate did not reset to init state")
	}

	// Misaligned: EFAULT, registers untouched, FPU reset.
	fp = xsaveImage(t)
	mem, f, sc = delivered(t, fp)
	mem.put64(sc+scFPState, mem.u64(sc+scFPState)+16)
	before := f
	if _, err := Return(&f, mem, fp); !errors.Is(err, unix.EFAULT) || f != before || le.Uint16(fp) != initFCW {
		t.Errorf("misaligned fpstate: %v", err)
	}

	// Unreadable: the same.
	fp = xsaveImage(t)
	mem, f, sc = delivered(t, fp)
	mem.put64(sc+scFPState, 0x40)
	before = f
	if _, err := Return(&f, mem, fp); !errors.Is(err, unix.EFAULT) || f != before {
		t.Errorf("unmapped fpstate: %v", err)
	}

	// An FXSAVE image needs only 16-byte alignment.
	fx := xsaveImage(t)[:fxsaveSize]
	mem, f, sc = delivered(t, fx)
	old := mem.u64(sc + scFPState)
	img, _ = mem.span(old, fxsaveSize)
	copy(mem.b[old+16-memBase:], append([]byte(nil), img...))
	mem.put64(sc+scFPState, old+16)
	if _, err := Return(&f, mem, fx); err != nil {
		t.Errorf("fxsave at 16-byte alignment: %v", err)
	}
}

func TestReturnBadFrame(t *testing.T) {
	mem := newMem(memBase, memSize)
	for _, rsp := range []uint64{0, 8, memBase - 8, memBase + memSize - 100, ^uint64(0) - 10} {
		f := userFrame(rsp)
		before := f
		if _, err := Return(&f, mem, xsaveImage(t)); !errors.Is(err, unix.EFAULT) || f != before {
			t.Errorf("rsp %#x: %v", rsp, err)
		}
	}
}

// FuzzReturn feeds arbitrary ucontexts and FPU images to Return: it must
// never panic, and whatever it accepts must be safe to resume.
func FuzzReturn(f *testing.F) {
	f.Add(make([]byte, ucSize), make([]byte, xsaveLen+4), uint16(0))
	f.Fuzz(func(t *testing.T, uc, fpMem []byte, fpOff uint16) {
		mem := newMem(memBase, 64<<10)
		rsp := uint64(memBase + 0x8000)
		copy(mem.b[0x8000:], uc)
		copy(mem.b[0x1000:], fpMem)
		if len(uc) >= ucMContext+scFPState+8 {
			mem.put64(rsp+ucMContext+scFPState, memBase+0x1000+uint64(fpOff%512))
		}
		img := xsaveImage(t)
		fr := userFrame(rsp)
		if _, err := Return(&fr, mem, img); err != nil {
			return
		}
		if fr.CS != cpu.UserCS || fr.SS != cpu.UserDS || fr.RFLAGS&cpu.FlagIF == 0 ||
			fr.RFLAGS&^(userFlags|cpu.FlagIF|rflagsFixed|ioplUser) != 0 {
			t.Fatalf("unsafe frame %+v", fr)
		}
		if le.Uint32(img[offMXCSR:])&^0xffff != 0 || le.Uint64(img[offXStateBV:])&^xfeatures != 0 ||
			le.Uint64(img[offXStateBV+8:]) != 0 || !swValid(img) {
			t.Fatal("unsafe FPU image")
		}
	})
}

// FuzzDeliver throws arbitrary stacks, alternate stacks and flags at
// Deliver: it must never panic, and a delivered frame must be aligned and
// inside the chosen stack.
func FuzzDeliver(f *testing.F) {
	f.Add(uint64(stackTop), uint64(altBase), uint64(altSize), int32(0), uint64(SA_ONSTACK|SA_RESTORER), 11)
	f.Fuzz(func(t *testing.T, rsp, altSP, altSz uint64, altFlags int32, flags uint64, sig int) {
		mem := newMem(memBase, memSize)
		alt := AltStack{SP: altSP, Size: altSz, Flags: altFlags}
		act := Action{Handler: handlerPC, Restorer: restorer, Flags: flags}
		fr := userFrame(rsp)
		fp := xsaveImage(t)
		if _, err := Deliver(&fr, sig, &Info{Signo: int32(sig)}, &act, &alt, 0, fp, mem); err != nil {
			return
		}
		if (fr.RSP+8)%16 != 0 || fr.RIP != handlerPC {
			t.Fatalf("bad entry %+v", fr)
		}
		orig := AltStack{SP: altSP, Size: altSz}
		if fr.RSP > rsp-redZone && !orig.contains(fr.RSP) {
			t.Fatalf("frame %#x neither below rsp %#x nor on the alt stack", fr.RSP, rsp)
		}
	})
}
