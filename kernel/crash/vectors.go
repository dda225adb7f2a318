package crash

import (
	"bytes"
	"fmt"
	"strings"
)

// Exception vectors with special treatment.
const (
	vecDF = 8
	vecTS = 10
	vecNP = 11
	vecSS = 12
	vecGP = 13
	vecPF = 14
	vecAC = 17
	vecCP = 21
	vecVC = 29
	vecSX = 30
)

// vectors names the architectural exceptions (SDM vol. 3, table 6-1).
var vectors = [...]string{
	0:  "#DE divide error",
	1:  "#DB debug",
	2:  "NMI non-maskable interrupt",
	3:  "#BP breakpoint",
	4:  "#OF overflow",
	5:  "#BR bound range exceeded",
	6:  "#UD invalid opcode",
	7:  "#NM device not available",
	8:  "#DF double fault",
	10: "#TS invalid TSS",
	11: "#NP segment not present",
	12: "#SS stack-segment fault",
	13: "#GP general protection",
	14: "#PF page fault",
	16: "#MF x87 floating-point error",
	17: "#AC alignment check",
	18: "#MC machine check",
	19: "#XM SIMD floating-point exception",
	20: "#VE virtualization exception",
	21: "#CP control protection",
	28: "#HV hypervisor injection",
	29: "#VC VMM communication",
	30: "#SX security exception",
}

func vectorName(v uint64) string {
	if v < uint64(len(vectors)) && vectors[v] != "" {
		return vectors[v]
	}
	return fmt.Sprintf("interrupt %d", v)
}

// hasErrorCode reports whether the CPU pushes an error code for v.
func hasErrorCode(v uint64) bool {
	switch v {
	case vecDF, vecTS, vecNP, vecSS, vecGP, vecPF, vecAC, vecCP, vecVC, vecSX:
		return true
	}
	return false
}

// writeErrorCode prints the error code, decoded where its bits mean
// something. Vectors without one print nothing unless it is nonzero.
func writeErrorCode(b *bytes.Buffer, vec, code uint64) {
	if !hasErrorCode(vec) && code == 0 {
		return
	}
	var what string
	switch vec {
	case vecPF:
		what = pageFaultCode(code)
	case vecTS, vecNP, vecSS, vecGP:
		what = selectorCode(code)
	case vecCP:
		what = controlProtectionCode(code)
	}
	if what == "" {
		fmt.Fprintf(b, "error=%#x\n", code)
		return
	}
	fmt.Fprintf(b, "error=%#x %s\n", code, what)
}

// pageFaultCode decodes a #PF error code (SDM vol. 3, figure 4-12).
func pageFaultCode(c uint64) string {
	var w []string
	if c&1 != 0 {
		w = append(w, "protection")
	} else {
		w = append(w, "not-present")
	}
	switch {
	case c&(1<<4) != 0:
		w = append(w, "instruction-fetch")
	case c&(1<<1) != 0:
		w = append(w, "write")
	default:
		w = append(w, "read")
	}
	if c&(1<<2) != 0 {
		w = append(w, "user")
	} else {
		w = append(w, "supervisor")
	}
	if c&(1<<3) != 0 {
		w = append(w, "reserved-bit")
	}
	if c&(1<<5) != 0 {
		w = append(w, "protection-key")
	}
	if c&(1<<6) != 0 {
		w = append(w, "shadow-stack")
	}
	if c&(1<<15) != 0 {
		w = append(w, "sgx")
	}
	return strings.Join(w, " ")
}

// selectorCode decodes the segment-selector error code of #TS, #NP, #SS
// and #GP: EXT (bit 0), IDT (bit 1), TI (bit 2), index (bits 3-15). Zero
// means the fault was not about a selector.
func selectorCode(c uint64) string {
	if c == 0 {
		return "no-selector"
	}
	table := "gdt"
	switch {
	case c&2 != 0:
		table = "idt"
	case c&4 != 0:
		table = "ldt"
	}
	s := fmt.Sprintf("selector %s index=%d", table, c>>3&0x1fff)
	if c&1 != 0 {
		s += " external"
	}
	return s
}

// controlProtectionCode decodes the #CP cause (SDM vol. 1, 17.2.3).
func controlProtectionCode(c uint64) string {
	causes := [...]string{1: "near-ret", 2: "far-ret-iret", 3: "endbranch", 4: "rstorssp", 5: "setssbsy"}
	s := "unknown-cause"
	if k := c & 0x7fff; k < uint64(len(causes)) && causes[k] != "" {
		s = causes[k]
	}
	if c&(1<<15) != 0 {
		s += " enclave"
	}
	return s
}
