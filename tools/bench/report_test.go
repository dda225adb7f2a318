package bench

import (
	"math"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	nan := math.NaN()
	v := &NICResult{NIC: "virtio-net-pci"}
	v.Warren[FigBoot] = []float64{900, 800, 850}
	v.Linux[FigBoot] = []float64{9500, 9400, 9700}
	v.Warren[FigRate] = []float64{1800, 2000, nan}
	v.Linux[FigRate] = []float64{1100, 1200, 1150}
	v.Warren[FigP99] = []float64{150, 160, 170}
	v.Linux[FigP99] = []float64{120, 100, 140}
	v.Warren[FigWrkErrors] = []float64{0, 3, 0}
	v.Linux[FigWrkErrors] = []float64{0, 0, 0}
	v.Failures = []string{"run 3: Warren: wrk: unable to connect\nmore detail"}
	e := &NICResult{NIC: "e1000"}
	e.Warren[FigBoot] = []float64{2000}
	e.Linux[FigBoot] = []float64{11600}
	rep := &Report{
		Made: "Made here.", NICs: []*NICResult{v, e}, ImageWarren: 12_300_000, ImageLinux: 20_500_000,
		Small:       []SmallMemory{{NIC: "virtio-net-pci", Memory: "32M", OK: true, RequestsPS: 1500}, {NIC: "e1000", Memory: "32M", Detail: "out of memory\nstack"}},
		MicroVMBoot: []float64{700, 650, 900},
		Scaling:     []float64{1.92, 1.61, 1.85}, ScalingCPUs: 2,
		SMPBoot: []float64{1.04, 1.2, 1.08},
	}
	md := rep.Markdown()
	for _, want := range []string{
		"Made here.\n\n| NIC | figure | Warren | Linux | Warren/Linux |\n|---|---|--:|--:|--:|\n",
		"| virtio-net-pci | QEMU start → first HTTP 200 (ms) | 850 <sub>800–900</sub> | 9,500 <sub>9,400–9,700</sub> | 0.089 |\n",
		"| virtio-net-pci | HTTP req/s, keep-alive `/` | 1,900 <sub>1,800–2,000</sub> | 1,150 <sub>1,100–1,200</sub> | 1.65 |\n",
		"| virtio-net-pci | latency p99 (ms) | 160 <sub>150–170</sub> | 120 <sub>100–140</sub> | 1.33 |\n",
		"| virtio-net-pci | wrk socket errors + non-2xx | 0 <sub>0–3</sub> | 0 | — |\n",
		"| e1000 | QEMU start → first HTTP 200 (ms) | 2,000 | 11,600 | 0.17 |\n",
		"| all | image size (MB) | 12.3 | 20.5 | 0.60 |\n",
		"| virtio-net-device (microvm) | QEMU start → first HTTP 200 (ms) | 700 <sub>650–900</sub> | — | — |\n",
		"| all | hashing, one goroutine a vCPU: throughput at `-smp 2` ÷ at `-smp 1` (×) | 1.85 <sub>1.61–1.92</sub> | — | — |\n",
		"- CPU-bound throughput at -smp 2 ≥ 1.7× -smp 1's: **met** (1.85×)\n",
		"| virtio-net-pci | QEMU start → first HTTP 200 at `-smp 4` ÷ at `-smp 1` (×) | 1.08 <sub>1.04–1.20</sub> | — | — |\n",
		"- first 200 at -smp 4 within 10% of -smp 1's: **met** (1.08×)\n",
		"| virtio-net-pci | serves HTTP with `-m 32M` | yes, 1,500 req/s | — | |\n",
		"| e1000 | serves HTTP with `-m 32M` | no | — | |\n",
		"- req/s ≥ 1.5× Linux on virtio-net: **met** (1.65×)\n",
		"- p99 no worse than Linux on virtio-net: **not met** (160 vs 120 ms)\n",
		"- first 200 ≤ 1/10 of Linux's time on virtio-net-pci: **met** (0.089×)\n",
		"- first 200 ≤ 1/10 of Linux's time on e1000: **not met** (0.17×)\n",
		"- serving with -m 32M on e1000: **not met** (out of memory)\n",
		"Failures:\n- run 3: Warren: wrk: unable to connect\n- e1000 -m 32M: out of memory\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "latency p50") {
		t.Errorf("a figure measured on neither side is shown:\n%s", md)
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{1234567: "1,234,567", 999.6: "1,000", 12.34: "12.3", 1.234: "1.23", -1500: "-1,500"} {
		if got := fmtNum(v); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", v, got, want)
		}
	}
	if fmtNum(math.NaN()) != "—" || fmtRatio(math.NaN()) != "—" || fmtRatio(0.0851) != "0.085" || fmtRatio(1.5) != "1.50" {
		t.Error("fmtRatio")
	}
}
