package crash

import (
	"fmt"
	"strings"
)

type bitName struct {
	bit  uint
	name string
}

var rflagsBits = []bitName{
	{0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"},
	{10, "DF"}, {11, "OF"}, {14, "NT"}, {16, "RF"}, {17, "VM"}, {18, "AC"},
	{19, "VIF"}, {20, "VIP"}, {21, "ID"},
}

var cr0Bits = []bitName{
	{0, "PE"}, {1, "MP"}, {2, "EM"}, {3, "TS"}, {4, "ET"}, {5, "NE"}, {16, "WP"},
	{18, "AM"}, {29, "NW"}, {30, "CD"}, {31, "PG"},
}

var cr4Bits = []bitName{
	{0, "VME"}, {1, "PVI"}, {2, "TSD"}, {3, "DE"}, {4, "PSE"}, {5, "PAE"},
	{6, "MCE"}, {7, "PGE"}, {8, "PCE"}, {9, "OSFXSR"}, {10, "OSXMMEXCPT"},
	{11, "UMIP"}, {12, "LA57"}, {13, "VMXE"}, {14, "SMXE"}, {16, "FSGSBASE"},
	{17, "PCIDE"}, {18, "OSXSAVE"}, {19, "KL"}, {20, "SMEP"}, {21, "SMAP"},
	{22, "PKE"}, {23, "CET"}, {24, "PKS"}, {25, "UINTR"}, {28, "LAM_SUP"},
}

// flagNames lists the set bits of v that have names.
func flagNames(v uint64, names []bitName) string {
	var w []string
	for _, n := range names {
		if v&(1<<n.bit) != 0 {
			w = append(w, n.name)
		}
	}
	return strings.Join(w, " ")
}

// rflagsNames is flagNames for RFLAGS plus the two-bit IOPL field.
func rflagsNames(v uint64) string {
	s := flagNames(v, rflagsBits)
	if iopl := v >> 12 & 3; iopl != 0 {
		s = strings.TrimSpace(s + fmt.Sprintf(" IOPL=%d", iopl))
	}
	return s
}
