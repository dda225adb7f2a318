package kernel

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

func TestInstallRejectsDuplicates(t *testing.T) {
	fn := func(*cpu.TrapFrame) (uint64, unix.Errno) { return 0, 0 }
	var dst [sysMax]SysFunc
	if err := installIn(&dst, []Syscall{{Nr: 600, Fn: fn}, {Nr: 600, Fn: fn}}); err != errDuplicateSyscall {
		t.Errorf("a number twice in one table: %v", err)
	}
	if dst[600] != nil {
		t.Error("a refused table was installed")
	}
	if err := installIn(&dst, []Syscall{{Nr: 600, Fn: fn}}); err != nil {
		t.Fatal(err)
	}
	if err := installIn(&dst, []Syscall{{Nr: 601, Fn: fn}, {Nr: 600, Fn: fn}}); err != errDuplicateSyscall || dst[601] != nil {
		t.Errorf("a number of an earlier table: %v", err)
	}
	if err := installIn(&dst, []Syscall{{Nr: sysMax, Fn: fn}}); err != errBadSyscallEntry {
		t.Errorf("out of range: %v", err)
	}
	// The kernel's own table installs: no number in it twice.
	var all [sysMax]SysFunc
	if err := installIn(&all, runtimeSyscalls[:]); err != nil {
		t.Errorf("the kernel's table: %v", err)
	}
}
