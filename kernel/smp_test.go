package kernel

import (
	"testing"

	"warren.dev/boot/multiboot"
)

func TestTrampolineFrame(t *testing.T) {
	pc := []multiboot.Range{{Start: 0, End: 0x9fc00}, {Start: 0x100000, End: 0x8000000}}
	for _, tc := range []struct {
		name string
		ram  []multiboot.Range
		mods []multiboot.Module
		want uint64
		ok   bool
	}{
		{"pc: below the EBDA", pc, nil, 0x9e000, true},
		{"a module there", pc, []multiboot.Module{{Start: 0x9d800, End: 0x9e001}}, 0x9c000, true},
		{"ranges out of order", []multiboot.Range{{Start: 0x100000, End: 0x200000}, {Start: 0x1000, End: 0x8000}, {Start: 0x10000, End: 0x20800}}, nil, 0x1f000, true},
		{"unaligned range", []multiboot.Range{{Start: 0x5800, End: 0x7800}}, nil, 0x6000, true},
		{"page 0 only", []multiboot.Range{{Start: 0, End: 0x1000}, {Start: 0x100000, End: 0x200000}}, nil, 0, false},
		{"too small", []multiboot.Range{{Start: 0x5800, End: 0x6800}}, nil, 0, false},
		{"all in a module", []multiboot.Range{{Start: 0x1000, End: 0x3000}}, []multiboot.Module{{Start: 0x1000, End: 0x3000}}, 0, false},
		{"no low RAM", []multiboot.Range{{Start: 0x100000, End: 0x200000}}, nil, 0, false},
	} {
		got, ok := trampolineFrame(tc.ram, tc.mods)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %#x, %v; want %#x, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCPUStackSlots(t *testing.T) {
	// The boot CPU's interrupt stacks keep the slots they had before
	// there were other CPUs; no two stacks share a slot.
	seen := map[int32]bool{}
	for c := range maxCPUs {
		for k := range istCount + 1 {
			s := cpuStackSlot(c, k)
			if s < maxThreads || seen[s] {
				t.Fatalf("cpu %d stack %d: slot %d", c, k, s)
			}
			seen[s] = true
		}
	}
	if cpuStackSlot(bootCPU, istDoubleFault) != maxThreads+1 {
		t.Errorf("boot CPU's double-fault stack in slot %d", cpuStackSlot(bootCPU, istDoubleFault))
	}
	if top := kstackRegion + uint64(cpuStackSlot(maxCPUs-1, istCount)+1)*kstackSlot; top>>39 != kstackRegion>>39 {
		t.Errorf("the last CPU stack ends at %#x, outside the kernel-stack region's top-level entry", top)
	}
}
