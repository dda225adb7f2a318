package acpi

import (
	"encoding/binary"
	"testing"
)

// lapicEntry, x2apicEntry, ioapicEntry and overrideEntry build MADT
// entries.
func lapicEntry(uid, id uint8, flags uint32) []byte {
	e := []byte{madtLAPIC, madtLAPICLen, uid, id, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(e[4:], flags)
	return e
}

func x2apicEntry(id, flags uint32) []byte {
	e := make([]byte, madtX2APICLen)
	e[0], e[1] = madtX2APIC, madtX2APICLen
	binary.LittleEndian.PutUint32(e[4:], id)
	binary.LittleEndian.PutUint32(e[8:], flags)
	return e
}

func ioapicEntry(id uint8, addr, gsi uint32) []byte {
	e := make([]byte, madtIOAPICLen)
	e[0], e[1], e[2] = madtIOAPIC, madtIOAPICLen, id
	binary.LittleEndian.PutUint32(e[4:], addr)
	binary.LittleEndian.PutUint32(e[8:], gsi)
	return e
}

func overrideEntry(src uint8, gsi uint32, flags uint16) []byte {
	e := make([]byte, madtOverrideLen)
	e[0], e[1], e[3] = madtOverride, madtOverrideLen, src
	binary.LittleEndian.PutUint32(e[4:], gsi)
	binary.LittleEndian.PutUint16(e[8:], flags)
	return e
}

// cut shortens an entry to n bytes, its length byte with it.
func cut(e []byte, n uint8) []byte {
	e[1] = n
	return e[:n]
}

// madtMemory lays out an RSDP, an RSDT listing a FADT and an MADT whose
// entries follow the local APIC address 0xfee00000.
func madtMemory(entries ...[]byte) fakeMemory {
	m := make(fakeMemory, 1<<16)
	m.putRSDP(0x100, 0x1000, 0)
	m.put(0x1000, "RSDT", []byte{0x00, 0x20, 0, 0, 0x00, 0x30, 0, 0})
	m.put(0x2000, "FACP", fadt(116-headerLen, 0x4000, 0))
	body := []byte{0x00, 0x00, 0xe0, 0xfe, 1, 0, 0, 0}
	for _, e := range entries {
		body = append(body, e...)
	}
	m.put(0x3000, "APIC", body)
	return m
}

// TestReadMADTQEMU reads a table as QEMU's pc machine writes it for -smp
// 4 with one processor disabled, plus an x2APIC entry for a processor
// already listed and one for a new one.
func TestReadMADTQEMU(t *testing.T) {
	m := madtMemory(
		lapicEntry(0, 0, 1), lapicEntry(1, 1, 1), lapicEntry(2, 2, 0), lapicEntry(3, 3, 1),
		ioapicEntry(0, 0xfec00000, 0),
		overrideEntry(0, 2, 0), overrideEntry(9, 9, 0xd),
		[]byte{4, 6, 0xff, 0x05, 0x00, 0x01}, // local APIC NMI: skipped
		x2apicEntry(3, 1), x2apicEntry(300, 1), x2apicEntry(301, 2), x2apicEntry(0xffffffff, 1),
	)
	var madt MADT
	if err := ReadMADT(m, 0x100, &madt); err != nil {
		t.Fatal(err)
	}
	want := MADT{LAPICAddr: 0xfee00000, NumCPUs: 4, NumIOAPICs: 1, NumOverrides: 2}
	want.CPUs[0], want.CPUs[1], want.CPUs[2], want.CPUs[3] = LocalAPIC{0}, LocalAPIC{1}, LocalAPIC{3}, LocalAPIC{300}
	want.IOAPICs[0] = IOAPIC{ID: 0, Addr: 0xfec00000, GSIBase: 0}
	want.Overrides[0] = Override{Source: 0, GSI: 2}
	want.Overrides[1] = Override{Source: 9, GSI: 9, Flags: 0xd}
	if madt != want {
		t.Errorf("ReadMADT = %+v\nwant %+v", madt, want)
	}
}

func TestReadMADTAddressOverrideAndLimits(t *testing.T) {
	addr := make([]byte, madtLAPICAddrLen)
	addr[0], addr[1] = madtLAPICAddr, madtLAPICAddrLen
	binary.LittleEndian.PutUint64(addr[4:], 0x1_0000_0000)
	entries := [][]byte{addr}
	for i := range MaxCPUs + 3 {
		entries = append(entries, x2apicEntry(uint32(i), 1))
	}
	var madt MADT
	if err := ReadMADT(madtMemory(entries...), 0x100, &madt); err != nil {
		t.Fatal(err)
	}
	if madt.LAPICAddr != 0x1_0000_0000 || madt.NumCPUs != MaxCPUs || madt.DroppedCPUs != 3 || madt.CPUs[MaxCPUs-1].ID != MaxCPUs-1 {
		t.Errorf("LAPICAddr %#x, %d CPUs, %d dropped, last %d", madt.LAPICAddr, madt.NumCPUs, madt.DroppedCPUs, madt.CPUs[MaxCPUs-1].ID)
	}
}

func TestReadMADTRejectsBadEntries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries [][]byte
		want    error
	}{
		{"zero length", [][]byte{lapicEntry(0, 0, 1), {madtLAPIC, 0, 0, 0}}, ErrMADTEntry},
		{"length 1", [][]byte{{madtIOAPIC, 1}}, ErrMADTEntry},
		{"one byte left", [][]byte{lapicEntry(0, 0, 1), {madtLAPIC}}, ErrMADTEntry},
		{"past the end", [][]byte{{madtLAPIC, 200, 0, 0, 1, 0, 0, 0}}, ErrMADTEntry},
		{"short local APIC", [][]byte{{madtLAPIC, 6, 0, 0, 1, 0}}, ErrMADTEntry},
		{"short x2APIC", [][]byte{cut(x2apicEntry(1, 1), 12)}, ErrMADTEntry},
		{"short I/O APIC", [][]byte{cut(ioapicEntry(0, 0xfec00000, 0), 8)}, ErrMADTEntry},
		{"short override", [][]byte{cut(overrideEntry(0, 2, 0), 8)}, ErrMADTEntry},
		{"short address override", [][]byte{{madtLAPICAddr, 4, 0, 0}}, ErrMADTEntry},
	} {
		var short []byte
		for _, e := range tc.entries {
			short = append(short, e...)
		}
		var madt MADT
		if err := ReadMADT(madtMemory(short), 0x100, &madt); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if madt != (MADT{}) {
			t.Errorf("%s: a rejected table left %+v", tc.name, madt)
		}
	}
}

func TestReadMADTTableErrors(t *testing.T) {
	m := madtMemory(lapicEntry(0, 0, 1))
	binary.LittleEndian.PutUint32(m[0x3004:], headerLen+4) // cut inside the fixed fields
	m[0x3009] = 0
	m[0x3009] = -sum(m[0x3000 : 0x3000+headerLen+4])
	var madt MADT
	if err := ReadMADT(m, 0x100, &madt); err != ErrLength {
		t.Errorf("short table: %v, want ErrLength", err)
	}
	m = madtMemory()
	copy(m[0x3000:], "SSDT")
	if err := ReadMADT(m, 0x100, &madt); err != ErrNoMADT {
		t.Errorf("no MADT: %v, want ErrNoMADT", err)
	}
	m = madtMemory()
	m[0x3010]++
	if err := ReadMADT(m, 0x100, &madt); err != ErrChecksum {
		t.Errorf("checksum: %v, want ErrChecksum", err)
	}
	if err := ReadMADT(m, 0x8000, &madt); err == nil {
		t.Error("no RSDP at the address: no error")
	}
}
