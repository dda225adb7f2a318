package bench

import (
	"math"
	"testing"
)

func TestParseMemory(t *testing.T) {
	warren := "uptime 3s\n\nmemory: heap alloc 1.2 MiB, heap in use 2.0 MiB, heap idle 1.0 MiB, stacks 0.3 MiB, total from OS 11.7 MiB\ngc: 1 cycles\n"
	if m := parseMemory(warren); m.GoSys != 11.7 || !math.IsNaN(m.Used) {
		t.Errorf("Warren page: %+v", m)
	}
	withRAM := warren + "ram (sysinfo): total 250.0 MiB, free 230.5 MiB\n"
	if m := parseMemory(withRAM); m.GoSys != 11.7 || m.Used != 19.5 {
		t.Errorf("Warren page with sysinfo: %+v", m)
	}
	for _, line := range []string{"sysinfo: total 250.0 MiB, free 230.5 MiB", "RAM: total RAM 250.0 MiB, free RAM 230.5 MiB, used 19.5 MiB"} {
		if m := parseMemory(warren + line + "\n"); m.Used != 19.5 {
			t.Errorf("%q: %+v", line, m)
		}
	}
	if m := parseMemory(warren + "dram: nothing\nframes: total 3 MiB, free 1 MiB\n"); !math.IsNaN(m.Used) {
		t.Errorf("a line not about RAM was read: %+v", m)
	}
	linux := "eth0: rx 1 pkts\nmeminfo: MemTotal 245000 kB, MemFree 200000 kB, MemAvailable 204040 kB, used 40.0 MiB\n\n" +
		"memory: heap alloc 0.4 MiB, heap in use 1.2 MiB, heap idle 6.5 MiB, stacks 0.3 MiB, total from OS 7.5 MiB\n"
	if m := parseMemory(linux); m.GoSys != 7.5 || m.Used != 40 {
		t.Errorf("Linux page: %+v", m)
	}
	if m := parseMemory("nothing"); !math.IsNaN(m.GoSys) || !math.IsNaN(m.Used) {
		t.Errorf("empty page: %+v", m)
	}
}
