package acpi

import (
	"encoding/binary"
	"testing"
)

// fakeMemory is physical memory from 0 as one byte slice.
type fakeMemory []byte

func (m fakeMemory) Bytes(addr, n uint64) ([]byte, bool) {
	if addr > uint64(len(m)) || n > uint64(len(m))-addr {
		return nil, false
	}
	return m[addr : addr+n], true
}

// put writes a table with sig and body at addr and fixes its checksum.
func (m fakeMemory) put(addr uint64, sig string, body []byte) {
	t := m[addr : addr+headerLen+uint64(len(body))]
	copy(t, sig)
	binary.LittleEndian.PutUint32(t[4:], uint32(len(t)))
	copy(t[headerLen:], body)
	t[9] = 0
	t[9] = -sum(t)
}

// putRSDP writes an RSDP (revision 2 with an XSDT when xsdt != 0).
func (m fakeMemory) putRSDP(addr uint64, rsdt uint32, xsdt uint64) {
	r := m[addr : addr+xsdpLen]
	copy(r, "RSD PTR ")
	binary.LittleEndian.PutUint32(r[16:], rsdt)
	if xsdt != 0 {
		r[15] = 2
		binary.LittleEndian.PutUint32(r[20:], xsdpLen)
		binary.LittleEndian.PutUint64(r[24:], xsdt)
	}
	r[8] = -sum(r[:rsdpLen])
	r[32] = -sum(r)
}

// q35S5 is QEMU's \_S5_ declaration: Name (_S5, Package (4) {Zero, Zero,
// Zero, Zero}), inside other code.
var q35S5 = []byte{0x10, 0x05, '_', 'S', 'B', '_', amlNameOp, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa4}

// fadt returns a FADT body (after the header) of n bytes with the PM1a
// control block, the PM timer and the DSDT set as 32-bit fields.
func fadt(n int, dsdt uint32, flags uint32) []byte {
	f := make([]byte, n+headerLen)
	le := binary.LittleEndian
	le.PutUint32(f[fadtDSDT:], dsdt)
	le.PutUint32(f[fadtPM1aCnt:], 0x604)
	le.PutUint32(f[fadtPMTmr:], 0x608)
	f[fadtPMTmrLen] = 4
	le.PutUint32(f[fadtFlags:], flags)
	return f[headerLen:]
}

func TestReadThroughRSDT(t *testing.T) {
	m := make(fakeMemory, 1<<20)
	m.putRSDP(0xf5a0, 0x1000, 0) // in the EBDA
	binary.LittleEndian.PutUint16(m[0x40e:], 0xf5a)
	m.put(0x1000, "RSDT", []byte{0x00, 0x30, 0, 0, 0x00, 0x20, 0, 0}) // an APIC table first
	m.put(0x3000, "APIC", nil)
	m.put(0x2000, "FACP", fadt(116-headerLen, 0x4000, flagTmrValExt))
	m.put(0x4000, "DSDT", q35S5)
	rsdp, err := FindRSDP(m, 0)
	if err != nil || rsdp != 0xf5a0 {
		t.Fatalf("FindRSDP = %#x, %v", rsdp, err)
	}
	var info Info
	if err := Read(m, rsdp, &info); err != nil {
		t.Fatal(err)
	}
	want := Info{PMTimerPort: 0x608, PMTimer32: true, PM1aControl: 0x604, HasS5: true}
	if info != want {
		t.Errorf("Read = %+v, want %+v", info, want)
	}
}

func TestReadThroughXSDTHardwareReduced(t *testing.T) {
	m := make(fakeMemory, 1<<20)
	m.putRSDP(0xe0010, 0x1000, 0x5000)
	m.put(0x1000, "RSDT", nil) // ignored: the XSDT wins
	m.put(0x5000, "XSDT", []byte{0x00, 0x20, 0, 0, 0, 0, 0, 0})
	f := fadt(276-headerLen, 0, flagHWReduced)
	le := binary.LittleEndian
	le.PutUint64(f[fadtXDSDT-headerLen:], 0x4000)
	copy(f[fadtSleepCtl-headerLen:], []byte{gasSystemIO, 8, 0, 1, 0xc0, 0x03, 0, 0, 0, 0, 0, 0})
	m.put(0x2000, "FACP", f)
	m.put(0x4000, "DSDT", []byte{amlNameOp, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x04, amlByte, 5, amlByte, 5, 0, 0})
	rsdp, err := FindRSDP(m, 0)
	if err != nil || rsdp != 0xe0010 {
		t.Fatalf("FindRSDP = %#x, %v", rsdp, err)
	}
	var info Info
	if err := Read(m, rsdp, &info); err != nil {
		t.Fatal(err)
	}
	// No PM timer on a hardware-reduced machine, whatever the FADT says.
	want := Info{PM1aControl: 0x604, SleepControl: 0x3c0, HasS5: true, S5TypeA: 5, S5TypeB: 5}
	if info != want {
		t.Errorf("Read = %+v, want %+v", info, want)
	}
}

func TestFindRSDPHintAndNone(t *testing.T) {
	m := make(fakeMemory, 1<<20)
	if _, err := FindRSDP(m, 0); err != ErrNoRSDP {
		t.Errorf("empty memory: %v, want ErrNoRSDP", err)
	}
	m.putRSDP(0x9000, 0x1000, 0)
	if a, err := FindRSDP(m, 0x9000); err != nil || a != 0x9000 {
		t.Errorf("hint: %#x, %v", a, err)
	}
	if _, err := FindRSDP(m, 0x9010); err != ErrNoRSDP {
		t.Errorf("bad hint: %v, want ErrNoRSDP", err)
	}
	m[0x9001] ^= 1
	if _, err := FindRSDP(m, 0x9000); err != ErrNoRSDP {
		t.Errorf("bad checksum: %v, want ErrNoRSDP", err)
	}
}

func TestReadRejectsBadTables(t *testing.T) {
	build := func() fakeMemory {
		m := make(fakeMemory, 1<<16)
		m.putRSDP(0x100, 0x1000, 0)
		m.put(0x1000, "RSDT", []byte{0x00, 0x20, 0, 0})
		m.put(0x2000, "FACP", fadt(116-headerLen, 0x4000, 0))
		m.put(0x4000, "DSDT", q35S5)
		return m
	}
	for _, tc := range []struct {
		name  string
		spoil func(fakeMemory)
		want  error
	}{
		{"checksum", func(m fakeMemory) { m[0x2050]++ }, ErrChecksum},
		{"length", func(m fakeMemory) { binary.LittleEndian.PutUint32(m[0x2004:], 10) }, ErrLength},
		{"past memory", func(m fakeMemory) { binary.LittleEndian.PutUint32(m[0x2004:], 1<<17) }, ErrRange},
		{"no FADT", func(m fakeMemory) { copy(m[0x2000:], "APIC") }, ErrNoFADT},
		{"no DSDT", func(m fakeMemory) {
			m.put(0x2000, "FACP", fadt(116-headerLen, 0, 0))
		}, ErrNoDSDT},
		{"DSDT signature", func(m fakeMemory) { copy(m[0x4000:], "SSDT") }, ErrSignature},
	} {
		m := build()
		tc.spoil(m)
		var info Info
		if err := Read(m, 0x100, &info); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestFindS5(t *testing.T) {
	for _, tc := range []struct {
		name string
		aml  []byte
		a, b uint8
		ok   bool
	}{
		{"qemu", q35S5, 0, 0, true},
		{"bytes", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, amlByte, 7, amlOne, 0, 0}, 7, 1, true},
		{"word, 2-byte PkgLength", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, amlWord, 6, 0, amlDWord, 3, 0, 0, 0}, 6, 3, true},
		{"a reference, not a declaration", []byte{0x70, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0, 0}, 0, 0, false},
		{"second declaration wins after a bad one", []byte{amlNameOp, '_', 'S', '5', '_', 0x0a, 1, amlNameOp, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 2, 0x0a, 2}, 2, 2, true},
		{"too wide", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x05, 0x02, amlByte, 9, 0}, 0, 0, false},
		{"ones", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0}, 0, 0, false},
		{"one element", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0}, 0, 0, false},
		{"cut short", []byte{amlNameOp, '_', 'S', '5', '_', 0x12, 0x05, 0x02, amlDWord, 1}, 0, 0, false},
		{"empty", nil, 0, 0, false},
	} {
		a, b, ok := FindS5(tc.aml)
		if a != tc.a || b != tc.b || ok != tc.ok {
			t.Errorf("%s: FindS5 = %d, %d, %v; want %d, %d, %v", tc.name, a, b, ok, tc.a, tc.b, tc.ok)
		}
	}
}
