package signal

import (
	"reflect"
	"testing"
)

// Mirrors of the Go runtime's view (runtime/defs_linux_amd64.go), which is
// what its signal handler reads; reflect gives their offsets.
type rtSigcontext struct {
	r8, r9, r10, r11, r12, r13, r14, r15 uint64
	rdi, rsi, rbp, rbx, rdx, rax, rcx    uint64
	rsp, rip, eflags                     uint64
	cs, gs, fs, pad0                     uint16
	err, trapno, oldmask, cr2            uint64
	fpstate                              uint64
	reserved1                            [8]uint64
}

type rtStackt struct {
	ssSP    uint64
	ssFlags int32
	pad     [4]byte
	ssSize  uint64
}

type rtUcontext struct {
	ucFlags    uint64
	ucLink     uint64
	ucStack    rtStackt
	ucMcontext rtSigcontext
	ucSigmask  [16]uint64 // glibc's size; the kernel fills the first word
}

type rtSiginfo struct {
	siSigno, siErrno, siCode int32
	siAddr                   uint64
}

type rtSigaction struct {
	saHandler, saFlags, saRestorer, saMask uint64
}

func offset(t *testing.T, v any, field string) int {
	t.Helper()
	f, ok := reflect.TypeOf(v).FieldByName(field)
	if !ok {
		t.Fatalf("no field %s", field)
	}
	return int(f.Offset)
}

func TestLayoutMatchesRuntime(t *testing.T) {
	sc := rtSigcontext{}
	for field, off := range map[string]int{
		"r8": scR8, "r9": scR9, "r10": scR10, "r11": scR11, "r12": scR12, "r13": scR13,
		"r14": scR14, "r15": scR15, "rdi": scRDI, "rsi": scRSI, "rbp": scRBP, "rbx": scRBX,
		"rdx": scRDX, "rax": scRAX, "rcx": scRCX, "rsp": scRSP, "rip": scRIP,
		"eflags": scEFLAGS, "cs": scCS, "gs": scGS, "fs": scFS, "pad0": scSS, "err": scErr,
		"trapno": scTrapno, "oldmask": scOldmask, "cr2": scCR2, "fpstate": scFPState,
	} {
		if got := offset(t, sc, field); got != off {
			t.Errorf("sigcontext.%s at %d, runtime reads %d", field, off, got)
		}
	}
	if n := int(reflect.TypeOf(sc).Size()); n != scSize {
		t.Errorf("sigcontext size %d, want %d", scSize, n)
	}
	uc := rtUcontext{}
	for field, off := range map[string]int{
		"ucFlags": ucFlags, "ucLink": ucLink, "ucStack": ucStack,
		"ucMcontext": ucMContext, "ucSigmask": ucSigmask,
	} {
		if got := offset(t, uc, field); got != off {
			t.Errorf("ucontext.%s at %d, runtime reads %d", field, off, got)
		}
	}
	st := rtStackt{}
	if offset(t, st, "ssFlags") != 8 || offset(t, st, "ssSize") != 16 || reflect.TypeOf(st).Size() != AltStackSize {
		t.Error("stack_t layout")
	}
	si := rtSiginfo{}
	if offset(t, si, "siCode") != offCode || offset(t, si, "siAddr") != offUnion {
		t.Error("siginfo layout")
	}
	sa := rtSigaction{}
	if offset(t, sa, "saRestorer") != 16 || offset(t, sa, "saMask") != 24 || reflect.TypeOf(sa).Size() != ActionSize {
		t.Error("sigaction layout")
	}
	if frameSize != 440 || offInfo != 312 || ucSize != 304 {
		t.Errorf("rt_sigframe: size %d, info at %d, ucontext %d", frameSize, offInfo, ucSize)
	}
}
