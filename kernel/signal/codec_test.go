package signal

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSet(t *testing.T) {
	var s Set
	s = s.Add(1).Add(64).Add(0).Add(65).Add(-1)
	if s != 1|1<<63 || !s.Has(1) || !s.Has(64) || s.Has(0) || s.Has(65) {
		t.Errorf("set %#x", s)
	}
	if s.Lowest() != 1 || s.Del(1).Lowest() != 64 || Set(0).Lowest() != 0 {
		t.Error("Lowest")
	}
	if Bit(int(unix.SIGSEGV)) != 1<<10 || Unblockable != 1<<8|1<<18 {
		t.Error("Bit numbering")
	}
	if (^Set(0)).Blockable().Has(int(unix.SIGKILL)) {
		t.Error("Blockable keeps SIGKILL")
	}
	var b [8]byte
	if EncodeSet(b[:], 0x1234) != nil || b[0] != 0x34 {
		t.Error("EncodeSet")
	}
	if v, err := DecodeSet(b[:]); err != nil || v != 0x1234 {
		t.Error("DecodeSet")
	}
	if _, err := DecodeSet(b[:7]); !errors.Is(err, unix.EINVAL) {
		t.Error("short sigset accepted")
	}
	if EncodeSet(b[:7], 1) == nil {
		t.Error("short sigset buffer accepted")
	}
}

func TestAction(t *testing.T) {
	a := Action{Handler: 0x1111, Flags: SA_SIGINFO | SA_RESTORER, Restorer: 0x2222, Mask: 0x3333}
	var b [ActionSize]byte
	if err := EncodeAction(b[:], &a); err != nil {
		t.Fatal(err)
	}
	if le.Uint64(b[0:]) != 0x1111 || le.Uint64(b[8:]) != SA_SIGINFO|SA_RESTORER ||
		le.Uint64(b[16:]) != 0x2222 || le.Uint64(b[24:]) != 0x3333 {
		t.Errorf("encoded % x", b)
	}
	if got, err := DecodeAction(b[:]); err != nil || got != a {
		t.Errorf("decoded %+v, %v", got, err)
	}
	if _, err := DecodeAction(b[:31]); !errors.Is(err, unix.EINVAL) {
		t.Error("short sigaction accepted")
	}
	if EncodeAction(b[:31], &a) == nil {
		t.Error("short buffer accepted")
	}
}

func TestAltStackCodec(t *testing.T) {
	a := AltStack{SP: 0xc000_0000, Flags: SS_AUTODISARM, Size: 32768}
	b := make([]byte, AltStackSize)
	for i := range b {
		b[i] = 0xff
	}
	if err := EncodeAltStack(b, &a); err != nil {
		t.Fatal(err)
	}
	if le.Uint64(b) != a.SP || le.Uint32(b[8:]) != 1<<31 || le.Uint32(b[12:]) != 0 || le.Uint64(b[16:]) != 32768 {
		t.Errorf("encoded % x", b)
	}
	if got, err := DecodeAltStack(b); err != nil || got != a {
		t.Errorf("decoded %+v, %v", got, err)
	}
	if _, err := DecodeAltStack(b[:23]); err == nil {
		t.Error("short stack_t accepted")
	}
}

func TestAltStackSyscall(t *testing.T) {
	var a AltStack
	if q := a.Query(0x1000); q != (AltStack{Flags: SS_DISABLE}) {
		t.Errorf("initial query %+v", q)
	}
	if err := a.Set(AltStack{SP: 0x10000, Size: MINSIGSTKSZ - 1}, 0); !errors.Is(err, unix.ENOMEM) {
		t.Errorf("small stack: %v", err)
	}
	if err := a.Set(AltStack{SP: 0x10000, Size: 8192, Flags: 4}, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("bad flags: %v", err)
	}
	if err := a.Set(AltStack{SP: 0x10000, Size: 8192}, 0x90000); err != nil {
		t.Fatal(err)
	}
	if q := a.Query(0x90000); q != (AltStack{SP: 0x10000, Size: 8192}) {
		t.Errorf("query off stack %+v", q)
	}
	if q := a.Query(0x11000); q.Flags != SS_ONSTACK {
		t.Errorf("query on stack %+v", q)
	}
	// Top counts as on the stack, base does not (Linux's __on_sig_stack).
	if !a.OnStack(0x12000) || a.OnStack(0x10000) {
		t.Error("stack bounds")
	}
	if err := a.Set(AltStack{Flags: SS_DISABLE}, 0x11000); !errors.Is(err, unix.EPERM) {
		t.Errorf("change while on it: %v", err)
	}
	if err := a.Set(AltStack{SP: 5, Size: 5, Flags: SS_DISABLE}, 0x90000); err != nil || a.enabled() {
		t.Errorf("disable: %+v %v", a, err)
	}
	// SS_ONSTACK is accepted as enable; SS_AUTODISARM is kept and reported.
	if err := a.Set(AltStack{SP: 0x10000, Size: 8192, Flags: SS_ONSTACK | SS_AUTODISARM}, 0); err != nil {
		t.Fatal(err)
	}
	if q := a.Query(0x11000); q.Flags != SS_AUTODISARM {
		t.Errorf("autodisarm query %+v", q)
	}
	var nilAlt *AltStack
	if nilAlt.OnStack(1) || nilAlt.Query(1).Flags != SS_DISABLE {
		t.Error("nil alt stack")
	}
}

func TestInfoLayouts(t *testing.T) {
	full := Info{Errno: 3, Addr: 0xa0a0, Pid: 7, Uid: 8, Value: 0x5555, TimerID: 9, Overrun: 10,
		Status: 11, UTime: 12, STime: 13, Band: 14, FD: 15, Syscall: 16, Arch: 0xc000003e}
	type field struct {
		off  int
		size int
		v    uint64
	}
	cases := []struct {
		sig, code int32
		want      []field
	}{
		// tgkill (the Go runtime's preemption signal): pid, uid at 16, 20.
		{int32(unix.SIGURG), SI_TKILL, []field{{16, 4, 7}, {20, 4, 8}, {24, 8, 0x5555}}},
		// kill: pid, uid only.
		{int32(unix.SIGTERM), SI_USER, []field{{16, 4, 7}, {20, 4, 8}, {24, 8, 0}}},
		{int32(unix.SIGTERM), SI_KERNEL, []field{{16, 4, 7}, {20, 4, 8}}},
		// Faults: si_addr at 16 and nothing else.
		{int32(unix.SIGSEGV), SEGV_MAPERR, []field{{16, 8, 0xa0a0}, {24, 8, 0}}},
		{int32(unix.SIGBUS), BUS_ADRERR, []field{{16, 8, 0xa0a0}}},
		{int32(unix.SIGFPE), FPE_INTDIV, []field{{16, 8, 0xa0a0}}},
		{int32(unix.SIGTRAP), TRAP_BRKPT, []field{{16, 8, 0xa0a0}}},
		{int32(unix.SIGILL), ILL_ILLOPC, []field{{16, 8, 0xa0a0}}},
		// A code past the signal's range falls back to the poll layout.
		{int32(unix.SIGBUS), 6, []field{{16, 8, 14}, {24, 4, 15}}},
		{int32(unix.SIGCHLD), 1, []field{{16, 4, 7}, {20, 4, 8}, {24, 4, 11}, {32, 8, 12}, {40, 8, 13}}},
		{int32(unix.SIGIO), 1, []field{{16, 8, 14}, {24, 4, 15}}},
		{int32(unix.SIGUSR1), SI_SIGIO, []field{{16, 8, 14}, {24, 4, 15}}},
		{int32(unix.SIGSYS), 1, []field{{16, 8, 0xa0a0}, {24, 4, 16}, {28, 4, 0xc000003e}}},
		{int32(unix.SIGALRM), SI_TIMER, []field{{16, 4, 9}, {20, 4, 10}, {24, 8, 0x5555}}},
		{34, SI_QUEUE, []field{{16, 4, 7}, {20, 4, 8}, {24, 8, 0x5555}}},
	}
	for _, c := range cases {
		in := full
		in.Signo, in.Code = c.sig, c.code
		b := make([]byte, InfoSize+8)
		for i := range b {
			b[i] = 0xee
		}
		if err := EncodeInfo(b, &in); err != nil {
			t.Fatal(err)
		}
		if le.Uint32(b[0:]) != uint32(c.sig) || le.Uint32(b[4:]) != 3 || le.Uint32(b[8:]) != uint32(c.code) || le.Uint32(b[12:]) != 0 {
			t.Errorf("sig %d code %d: header % x", c.sig, c.code, b[:16])
		}
		for _, w := range c.want {
			var got uint64
			if w.size == 4 {
				got = uint64(le.Uint32(b[w.off:]))
			} else {
				got = le.Uint64(b[w.off:])
			}
			if got != w.v {
				t.Errorf("sig %d code %d: offset %d = %#x, want %#x", c.sig, c.code, w.off, got, w.v)
			}
		}
		if b[InfoSize] != 0xee {
			t.Error("wrote past siginfo")
		}
		// Decoding gives back the fields of that layout, and re-encoding
		// the same bytes.
		d, err := DecodeInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		b2 := make([]byte, InfoSize)
		EncodeInfo(b2, &d)
		if string(b2) != string(b[:InfoSize]) {
			t.Errorf("sig %d code %d: decode/encode differs", c.sig, c.code)
		}
	}
	if EncodeInfo(make([]byte, 127), &full) == nil {
		t.Error("short buffer accepted")
	}
	if _, err := DecodeInfo(make([]byte, 127)); err == nil {
		t.Error("short siginfo accepted")
	}
}

func TestPrepareXSave(t *testing.T) {
	if PrepareXSave(make([]byte, 575), 7) == nil || PrepareXSave(make([]byte, fxsaveSize), 7) == nil {
		t.Error("short image accepted")
	}
	img := make([]byte, 2696)
	if err := PrepareXSave(img, 0x2e7); err != nil || !swValid(img) || swFeatures(img) != 0x2e7 {
		t.Error("PrepareXSave")
	}
	if le.Uint32(img[offSWBytes+4:]) != 2700 || le.Uint32(img[offSWBytes+16:]) != 2696 {
		t.Error("extended_size / xstate_size")
	}
}

// FuzzDecode: decoders take arbitrary user bytes and must never panic;
// what they decode must encode back to the same fields.
func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, InfoSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := DecodeAction(b); err == nil {
			var out [ActionSize]byte
			EncodeAction(out[:], &a)
			if string(out[:]) != string(b[:ActionSize]) {
				t.Fatal("sigaction round trip")
			}
		}
		if s, err := DecodeAltStack(b); err == nil {
			var out [AltStackSize]byte
			EncodeAltStack(out[:], &s)
			if s2, _ := DecodeAltStack(out[:]); s2 != s {
				t.Fatal("stack_t round trip")
			}
			var cur AltStack
			cur.Set(s, uint64(len(b)))
			cur.Query(uint64(len(b)))
		}
		if i, err := DecodeInfo(b); err == nil {
			var out [InfoSize]byte
			EncodeInfo(out[:], &i)
			if i2, _ := DecodeInfo(out[:]); i2 != i {
				t.Fatal("siginfo round trip")
			}
		}
		DecodeSet(b)
	})
}
