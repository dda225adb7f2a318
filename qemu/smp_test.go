package qemu_test

import (
	"fmt"
	"strings"
	"testing"

	"warren.dev/qemu"
)

// TestBootSMP boots examples/hello with 1, 2 and 4 vCPUs through
// Multiboot, and with 2 through PVH on q35: the kernel starts every
// application processor the MADT lists and says so in one line, and the
// program, its threads on every CPU, runs and exits as before. Without ACPI
// (MicroVM) there is no MADT and the boot CPU runs alone.
func TestBootSMP(t *testing.T) {
	for _, tc := range []struct {
		cpus   int
		pvh    bool
		typ    string
		online int
	}{
		{1, false, "", 1},
		{2, false, "", 2},
		{4, false, "", 4},
		{2, true, "q35", 2},
		{2, true, qemu.MicroVM, 1},
	} {
		name := fmt.Sprintf("smp%d", tc.cpus)
		if tc.pvh {
			name += "/pvh/" + strings.SplitN(tc.typ, ",", 2)[0]
		}
		t.Run(name, func(t *testing.T) {
			out, status, err := bootExample(t, "examples/hello", boot{CPUs: tc.cpus, PVH: tc.pvh, Type: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, tc.online)
			for i := range ids {
				ids[i] = fmt.Sprint(i) // QEMU numbers the APIC IDs from 0
			}
			want := fmt.Sprintf("warren: cpus: %d online (APIC IDs %s)\n", tc.online, strings.Join(ids, ", "))
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
			if !strings.Contains(out, "hello from warren\n") || status != 0 {
				t.Errorf("hello did not run to status 0 (status %d)", status)
			}
		})
	}
}
