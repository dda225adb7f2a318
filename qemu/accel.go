package qemu

import (
	"fmt"
	"os"
	"path/filepath"
)

// Accel is a QEMU accelerator.
type Accel string

// The accelerators Warren uses. AccelAuto picks one with DetectAccel.
const (
	AccelAuto Accel = ""
	AccelTCG  Accel = "tcg"
	AccelKVM  Accel = "kvm"
)

// args returns the -accel and -cpu arguments for a.
func (a Accel) args() []string {
	if a == AccelKVM {
		return []string{"-accel", "kvm", "-cpu", "host"}
	}
	// TCG: "max" gives every feature QEMU can emulate (SSE, XSAVE, RDRAND).
	return []string{"-accel", "tcg", "-cpu", "max"}
}

// DetectAccel returns the accelerator to use on this host: $WARREN_ACCEL
// (tcg or kvm) if set, else KVM only when it is real hardware virtualisation.
func DetectAccel() (Accel, error) {
	switch v := os.Getenv("WARREN_ACCEL"); v {
	case "":
		return detectAccel("/", "/dev/kvm"), nil
	case "tcg", "kvm":
		return Accel(v), nil
	default:
		return "", fmt.Errorf("WARREN_ACCEL=%q: want tcg or kvm", v)
	}
}

// detectAccel picks KVM when the device kvm opens read-write and the
// kernel module serving it is kvm_intel or kvm_amd. /dev/kvm served by
// kvm_pvm (paravirtualised, nested in a VM) runs ordinary guests through an
// instruction emulator ~1000× slower than TCG's translation and aborts with
// -cpu host, so it counts as no KVM. sysRoot is "/" except in tests.
func detectAccel(sysRoot, kvm string) Accel {
	module := func(name string) bool {
		_, err := os.Stat(filepath.Join(sysRoot, "sys", "module", name))
		return err == nil
	}
	if module("kvm_pvm") || !(module("kvm_intel") || module("kvm_amd")) {
		return AccelTCG
	}
	f, err := os.OpenFile(kvm, os.O_RDWR, 0)
	if err != nil {
		return AccelTCG
	}
	f.Close()
	return AccelKVM
}
