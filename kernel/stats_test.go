package kernel

import (
	"testing"

	"warren.dev/kernel/statsabi"
)

func TestValidPort(t *testing.T) {
	for v, want := range map[string]bool{
		"1": true, "80": true, "9100": true, "65535": true,
		"": false, "0": false, "080": false, "65536": false, "100000": false, "-1": false, "80a": false, " 80": false,
	} {
		if got := validPort([]byte(v)); got != want {
			t.Errorf("validPort(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestCountSyscall(t *testing.T) {
	saved := kstats
	defer func() { kstats = saved }()
	kstats = statsabi.Counters{}
	countSyscall(0)
	countSyscall(0)
	countSyscall(statsabi.SysStats)
	countSyscall(1 << 40) // out of the table: counted, not by number
	if kstats.Syscalls != 4 || kstats.WarrenCalls != 2 || kstats.ByNr[0] != 2 || kstats.ByNr[statsabi.SysStats] != 1 {
		t.Errorf("counters %+v", kstats)
	}
	if SyscallName(statsabi.SysStats) != "warren_stats" {
		t.Errorf("SyscallName(%d) = %q", statsabi.SysStats, SyscallName(statsabi.SysStats))
	}
	if len(countersBytes()) != statsabi.Size {
		t.Errorf("countersBytes is %d bytes, want %d", len(countersBytes()), statsabi.Size)
	}
}
