package acpi

// The MADT ("APIC" table, ACPI 6.4 §5.2.12): the machine's processors and
// interrupt controllers, as a list of entries after two header fields.

// Limits of what ReadMADT keeps; entries past them are counted.
const (
	MaxCPUs      = 64
	MaxIOAPICs   = 8
	MaxOverrides = 16
)

// MADT is what the kernel keeps of the table.
type MADT struct {
	LAPICAddr uint64 // the local APICs' physical address (an override entry wins)

	CPUs        [MaxCPUs]LocalAPIC // in the table's order, the boot CPU first by convention
	NumCPUs     int
	DroppedCPUs int // enabled processors past MaxCPUs

	IOAPICs    [MaxIOAPICs]IOAPIC
	NumIOAPICs int

	Overrides    [MaxOverrides]Override
	NumOverrides int
}

// LocalAPIC is a processor: its local APIC's ID (an x2APIC ID for entries
// of type 9).
type LocalAPIC struct {
	ID uint32
}

// IOAPIC is an I/O APIC: its ID, registers and the first global system
// interrupt (GSI) its pins serve.
type IOAPIC struct {
	ID      uint8
	Addr    uint32
	GSIBase uint32
}

// Override says that ISA interrupt Source reaches GSI, with the MPS
// polarity and trigger flags (0: the bus's defaults).
type Override struct {
	Source uint8
	GSI    uint32
	Flags  uint16
}

// Entry types and their lengths.
const (
	madtLAPIC        = 0
	madtIOAPIC       = 1
	madtOverride     = 2
	madtLAPICAddr    = 5
	madtX2APIC       = 9
	madtLAPICLen     = 8
	madtIOAPICLen    = 12
	madtOverrideLen  = 10
	madtLAPICAddrLen = 12
	madtX2APICLen    = 16
	madtFixed        = headerLen + 8 // header, local APIC address, flags
	lapicEnabled     = 1 << 0
	madtEntryMinimum = 2
	madtUnusedX2APIC = 0xffffffff
)

// ReadMADT fills m from the MADT the RSDP at rsdp leads to. Processors
// whose enabled flag is clear are left out: they cannot be started (the
// online-capable ones wait for hot-plug, which Warren lacks). An entry
// shorter than its type's layout or running past the table's end makes
// the whole table unusable (ErrMADTEntry); unknown types are skipped.
func ReadMADT(mem Memory, rsdp uint64, m *MADT) error {
	*m = MADT{}
	t, err := findTable(mem, rsdp, "APIC")
	if err == errNotFound {
		return ErrNoMADT
	}
	if err != nil {
		return err
	}
	if len(t) < madtFixed {
		return ErrLength
	}
	m.LAPICAddr = uint64(le.Uint32(t[headerLen:]))
	for e := t[madtFixed:]; len(e) > 0; {
		if len(e) < madtEntryMinimum || int(e[1]) < madtEntryMinimum || int(e[1]) > len(e) {
			*m = MADT{}
			return ErrMADTEntry
		}
		if !m.add(e[:e[1]]) {
			*m = MADT{}
			return ErrMADTEntry
		}
		e = e[e[1]:]
	}
	return nil
}

// add records one entry; false if it is shorter than its type's layout.
func (m *MADT) add(e []byte) bool {
	switch e[0] {
	case madtLAPIC:
		if len(e) < madtLAPICLen {
			return false
		}
		if le.Uint32(e[4:])&lapicEnabled != 0 {
			m.addCPU(uint32(e[3]))
		}
	case madtX2APIC:
		if len(e) < madtX2APICLen {
			return false
		}
		if id := le.Uint32(e[4:]); le.Uint32(e[8:])&lapicEnabled != 0 && id != madtUnusedX2APIC {
			m.addCPU(id)
		}
	case madtIOAPIC:
		if len(e) < madtIOAPICLen {
			return false
		}
		if m.NumIOAPICs < MaxIOAPICs {
			m.IOAPICs[m.NumIOAPICs] = IOAPIC{ID: e[2], Addr: le.Uint32(e[4:]), GSIBase: le.Uint32(e[8:])}
			m.NumIOAPICs++
		}
	case madtOverride:
		if len(e) < madtOverrideLen {
			return false
		}
		if m.NumOverrides < MaxOverrides {
			m.Overrides[m.NumOverrides] = Override{Source: e[3], GSI: le.Uint32(e[4:]), Flags: le.Uint16(e[8:])}
			m.NumOverrides++
		}
	case madtLAPICAddr:
		if len(e) < madtLAPICAddrLen {
			return false
		}
		m.LAPICAddr = le.Uint64(e[4:])
	}
	return true
}

// addCPU records a processor once: firmware may list one both as a local
// APIC and as an x2APIC.
func (m *MADT) addCPU(id uint32) {
	for _, c := range m.CPUs[:m.NumCPUs] {
		if c.ID == id {
			return
		}
	}
	if m.NumCPUs == MaxCPUs {
		m.DroppedCPUs++
		return
	}
	m.CPUs[m.NumCPUs] = LocalAPIC{ID: id}
	m.NumCPUs++
}
