package acpi

import (
	"encoding/binary"
	"os"
	"testing"
)

// pkg encodes a PkgLength for n bytes that follow it, in the two-byte form
// when they do not fit in six bits.
func pkg(n int) []byte {
	if n+1 < 0x40 {
		return []byte{byte(n + 1)}
	}
	n += 2
	return []byte{0x40 | byte(n&0xf), byte(n >> 4)}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// device is Device (NAME) {body}.
func device(name string, body ...[]byte) []byte {
	b := cat(append([][]byte{[]byte(name)}, body...)...)
	return cat([]byte{amlExtOp, amlDevice}, pkg(len(b)), b)
}

// hid is Name (_HID, "LNRO0005").
var hid = []byte(virtioMMIOHID)

// crs is Name (_CRS, Buffer () {template}), BufferSize a byte constant.
func crs(template ...[]byte) []byte {
	t := cat(template...)
	b := cat([]byte{amlByte, byte(len(t))}, t)
	return cat([]byte("\x08_CRS"), []byte{amlBuffer}, pkg(len(b)), b)
}

// mem32 is Memory32Fixed (ReadWrite, base, size).
func mem32(base, size uint32) []byte {
	d := []byte{resLarge | resMem32Fixed, mem32FixedLen, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(d[4:], base)
	binary.LittleEndian.PutUint32(d[8:], size)
	return d
}

// extIRQ is Interrupt (ResourceConsumer, ...) {gsi} with the flags byte.
func extIRQ(flags byte, gsi uint32) []byte {
	d := []byte{resLarge | resExtIRQ, extIRQMinLen, 0, flags, 1, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(d[5:], gsi)
	return d
}

var endTag = []byte{0x79, 0}

// amlMemory lays out an RSDP, an RSDT listing a FADT and the SSDTs, and a
// DSDT holding dsdt (AML after the header).
func amlMemory(dsdt []byte, ssdts ...[]byte) fakeMemory {
	m := make(fakeMemory, 1<<16)
	m.putRSDP(0x100, 0x1000, 0)
	rsdt := []byte{0x00, 0x20, 0, 0}
	for i, s := range ssdts {
		a := uint32(0x8000 + 0x1000*i)
		rsdt = binary.LittleEndian.AppendUint32(rsdt, a)
		m.put(uint64(a), "SSDT", s)
	}
	m.put(0x1000, "RSDT", rsdt)
	m.put(0x2000, "FACP", fadt(116-headerLen, 0x4000, 0))
	m.put(0x4000, "DSDT", dsdt)
	return m
}

// TestReadMMIODevicesMicroVM reads the DSDT QEMU 7.2 writes for -M
// microvm,ioapic2=off with two virtio-net-device (dumped from the guest's
// memory): devices VR07 and VR06 at GSIs 23 and 22, level-triggered,
// active high.
func TestReadMMIODevicesMicroVM(t *testing.T) {
	dsdt, err := os.ReadFile("testdata/microvm-dsdt.aml")
	if err != nil {
		t.Fatal(err)
	}
	var d MMIODevices
	if err := ReadMMIODevices(amlMemory(dsdt[headerLen:]), 0x100, &d); err != nil {
		t.Fatal(err)
	}
	want := MMIODevices{Num: 2}
	want.Devices[0] = MMIODevice{Base: 0xfeb00e00, Size: 0x200, GSI: 23, Level: true}
	want.Devices[1] = MMIODevice{Base: 0xfeb00c00, Size: 0x200, GSI: 22, Level: true}
	if d != want {
		t.Errorf("ReadMMIODevices = %+v\nwant %+v", d.Devices[:d.Num], want.Devices[:want.Num])
	}
}

// TestReadMMIODevicesSynthetic reads two devices in the DSDT (one in a
// scope, one whose child device has a _CRS of its own before the
// device's) and one in the second SSDT, with other descriptors around.
func TestReadMMIODevicesSynthetic(t *testing.T) {
	vr00 := device("VR00", hid, crs(mem32(0xd0000000, 0x1000), extIRQ(0x03, 5), endTag))
	scope := cat([]byte{0x10}, pkg(4+len(vr00)), []byte("_SB_"), vr00) // Scope (_SB_)
	child := device("CHLD", []byte("\x08_HID\x0dLNRO0006\x00"), crs(mem32(0xbad, 0x10), extIRQ(0, 99), endTag))
	dsdt := cat(
		q35S5,
		scope,
		device("VR01", child,
			[]byte{amlNameOp, '_', 'U', 'I', 'D', amlOne},
			hid,
			crs([]byte{0x22, 0x20, 0x00}, // small IRQ descriptor: skipped
				mem32(0xd0001000, 0x200),
				[]byte{resLarge | 0x0a, 2, 0, 0xaa, 0xbb}, // unknown large descriptor
				extIRQ(0x07, 17), extIRQ(0, 40), endTag)),
	)
	ssdt2 := device("VR02", hid, crs(mem32(0xd0002000, 0x200), extIRQ(0x01, 18), endTag))
	var d MMIODevices
	if err := ReadMMIODevices(amlMemory(dsdt, []byte{0}, ssdt2), 0x100, &d); err != nil {
		t.Fatal(err)
	}
	want := MMIODevices{Num: 3}
	want.Devices[0] = MMIODevice{Base: 0xd0000000, Size: 0x1000, GSI: 5}
	want.Devices[1] = MMIODevice{Base: 0xd0001000, Size: 0x200, GSI: 17, ActiveLow: true}
	want.Devices[2] = MMIODevice{Base: 0xd0002000, Size: 0x200, GSI: 18, Level: true}
	if d != want {
		t.Errorf("ReadMMIODevices = %+v\nwant %+v", d.Devices[:d.Num], want.Devices[:want.Num])
	}
}

// TestReadMMIODevicesMalformed puts each bad device beside a good one: the
// good one is read, the bad one counted and ErrMMIOResource returned.
func TestReadMMIODevicesMalformed(t *testing.T) {
	good := device("GOOD", hid, crs(mem32(0xd0000000, 0x200), extIRQ(1, 16), endTag))
	longMem := mem32(0xd0001000, 0x200)
	longMem[1] = 0xff // a large descriptor running past the template
	shortIRQ := extIRQ(1, 17)
	shortIRQ[4] = 2 // two GSIs in room for one
	shortMem := []byte{resLarge | resMem32Fixed, 4, 0, 1, 0, 0, 0xd0}
	// A buffer cut off: its PkgLength reaches past the device's end.
	cutBuf := device("CUT_", hid, []byte("\x08_CRS\x11\x20\x0a\x1a"), mem32(1, 1))
	for _, tc := range []struct {
		name string
		bad  []byte
	}{
		{"descriptor past the end", device("BAD_", hid, crs(longMem, extIRQ(1, 17), endTag))},
		{"small descriptor past the end", device("BAD_", hid, crs(mem32(0xd0001000, 0x200), extIRQ(1, 17), []byte{0x79}))},
		{"no end tag", device("BAD_", hid, crs(mem32(0xd0001000, 0x200), extIRQ(1, 17)))},
		{"no interrupt", device("BAD_", hid, crs(mem32(0xd0001000, 0x200), endTag))},
		{"no memory", device("BAD_", hid, crs(extIRQ(1, 17), endTag))},
		{"zero size", device("BAD_", hid, crs(mem32(0xd0001000, 0), extIRQ(1, 17), endTag))},
		{"interrupt count past its length", device("BAD_", hid, crs(mem32(0xd0001000, 0x200), shortIRQ, endTag))},
		{"short Memory32Fixed", device("BAD_", hid, crs(shortMem, extIRQ(1, 17), endTag))},
		{"no _CRS", device("BAD_", hid)},
		{"truncated buffer", cutBuf},
		{"no device", hid},
		{"device past the table", cat([]byte{amlExtOp, amlDevice, 0x7f}, []byte("BAD_"), hid)},
	} {
		var d MMIODevices
		err := ReadMMIODevices(amlMemory(cat(good, tc.bad)), 0x100, &d)
		if err != ErrMMIOResource || d.Num != 1 || d.Malformed != 1 || d.Devices[0] != (MMIODevice{Base: 0xd0000000, Size: 0x200, GSI: 16, Level: true}) {
			t.Errorf("%s: %v, %d found %+v, %d malformed", tc.name, err, d.Num, d.Devices[0], d.Malformed)
		}
	}
}

func TestReadMMIODevicesLimit(t *testing.T) {
	var aml []byte
	for i := range MaxMMIODevices + 2 {
		aml = append(aml, device("VRxx", hid, crs(mem32(0xd0000000+0x200*uint32(i), 0x200), extIRQ(1, uint32(i)), endTag))...)
	}
	var d MMIODevices
	if err := ReadMMIODevices(amlMemory(aml), 0x100, &d); err != nil {
		t.Fatal(err)
	}
	if d.Num != MaxMMIODevices || d.Dropped != 2 || d.Devices[MaxMMIODevices-1].GSI != MaxMMIODevices-1 {
		t.Errorf("%d found, %d dropped, last GSI %d", d.Num, d.Dropped, d.Devices[MaxMMIODevices-1].GSI)
	}
}

func TestReadMMIODevicesTables(t *testing.T) {
	var d MMIODevices
	m := amlMemory(nil)
	copy(m[0x2000:], "XXXX")
	if err := ReadMMIODevices(m, 0x100, &d); err != ErrNoFADT {
		t.Errorf("no FADT: %v", err)
	}
	m = amlMemory(nil)
	m[0x4000] = 'X'
	if err := ReadMMIODevices(m, 0x100, &d); err != ErrSignature {
		t.Errorf("bad DSDT: %v", err)
	}
	m = amlMemory(nil, []byte{1})
	m[0x8010]++
	if err := ReadMMIODevices(m, 0x100, &d); err != ErrChecksum {
		t.Errorf("bad SSDT: %v", err)
	}
	if err := ReadMMIODevices(amlMemory(nil), 0x100, &d); err != nil || d != (MMIODevices{}) {
		t.Errorf("no devices: %v, %+v", err, d)
	}
}
