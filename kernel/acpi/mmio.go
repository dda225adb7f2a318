package acpi

// Virtio-mmio devices as QEMU's microvm (with ACPI) and cloud-hypervisor
// describe them: in the DSDT or an SSDT, a Device whose _HID is the
// string "LNRO0005" and whose _CRS is a buffer of resource descriptors
// (ACPI 6.4 §6.4) holding a Memory32Fixed (the registers) and an
// Extended Interrupt (the GSI, with its trigger and polarity).

// MaxMMIODevices bounds the device declarations read (good or
// malformed); more are counted. It also bounds the work a table full of
// declarations costs.
const MaxMMIODevices = 32

// MMIODevices is what ReadMMIODevices finds, in the tables' order.
type MMIODevices struct {
	Devices   [MaxMMIODevices]MMIODevice
	Num       int
	Malformed int // declarations whose _CRS is missing or malformed
	Dropped   int // declarations past MaxMMIODevices, not read
}

// MMIODevice is one virtio-mmio device's register block and interrupt.
type MMIODevice struct {
	Base, Size uint64
	GSI        uint32
	Level      bool // level-triggered, else edge-triggered
	ActiveLow  bool
}

// Resource descriptors (ACPI 6.4 §6.4.1): a small one's tag byte holds its
// name (bits 6-3) and length (bits 2-0); a large one's (bit 7 set) holds
// its name (bits 6-0) and a 16-bit length follows.
const (
	resLarge       = 0x80
	resSmallEnd    = 0x0f // End Tag, its one byte a checksum
	resMem32Fixed  = 0x06 // large: info, base (32), length (32)
	resExtIRQ      = 0x09 // large: flags, count, count 32-bit GSIs, optional source
	mem32FixedLen  = 9
	extIRQMinLen   = 6
	extIRQEdge     = 1 << 1
	extIRQLow      = 1 << 2
	largeHeaderLen = 3
)

// virtioMMIOHID is the _HID declaration the devices carry:
// Name (_HID, "LNRO0005").
const virtioMMIOHID = "\x08_HID\x0dLNRO0005\x00"

// crsName starts a _CRS declaration as a buffer: Name (_CRS, Buffer ...).
const crsName = "\x08_CRS\x11"

// ReadMMIODevices fills d with the virtio-mmio devices the DSDT and the
// SSDTs the RSDP at rsdp leads to declare. A device whose _CRS is missing
// or malformed is left out and ErrMMIOResource returned with the others.
// It finds the declarations by their bytes, as FindS5 does; a _HID or
// _CRS computed by a method is not seen.
func ReadMMIODevices(mem Memory, rsdp uint64, d *MMIODevices) error {
	*d = MMIODevices{}
	fadt, err := findTable(mem, rsdp, "FACP")
	if err == errNotFound {
		return ErrNoFADT
	}
	if err != nil {
		return err
	}
	a := dsdtAddr(fadt)
	if a == 0 {
		return ErrNoDSDT
	}
	t, err := table(mem, a, "DSDT")
	if err != nil {
		return err
	}
	d.scan(t[headerLen:])
	for n := 0; ; n++ {
		t, err := nthTable(mem, rsdp, "SSDT", n)
		if err == errNotFound {
			break
		}
		if err != nil {
			return err
		}
		d.scan(t[headerLen:])
	}
	if d.Malformed > 0 {
		return ErrMMIOResource
	}
	return nil
}

// scan adds the devices declared in aml.
func (d *MMIODevices) scan(aml []byte) {
	for i := 0; i+len(virtioMMIOHID) <= len(aml); i++ {
		if string(aml[i:i+len(virtioMMIOHID)]) != virtioMMIOHID {
			continue
		}
		if d.Num+d.Malformed == MaxMMIODevices {
			d.Dropped++
			continue
		}
		dev, ok := mmioDevice(aml, i)
		if !ok {
			d.Malformed++
			continue
		}
		d.Devices[d.Num] = dev
		d.Num++
	}
}

// mmioDevice reads the _CRS of the Device declaring the _HID at hid: the
// first _CRS buffer in that device's body that belongs to no device
// nested in it (of the first MaxMMIODevices there).
func mmioDevice(aml []byte, hid int) (MMIODevice, bool) {
	start, end, ok := enclosingDevice(aml, hid)
	if !ok {
		return MMIODevice{}, false
	}
	tries := 0
	for i := start; i+len(crsName) <= end && tries < MaxMMIODevices; i++ {
		if string(aml[i:i+len(crsName)]) != crsName {
			continue
		}
		tries++
		if s, _, ok := enclosingDevice(aml, i); !ok || s != start {
			continue
		}
		buf, ok := amlBufferBytes(aml[i+len(crsName)-1 : end])
		if !ok {
			return MMIODevice{}, false
		}
		return readResources(buf)
	}
	return MMIODevice{}, false
}

// enclosingDevice finds the innermost Device whose body holds offset at:
// where its body starts (its NameString, after DeviceOp and PkgLength)
// and ends. Going back from at, the first DeviceOp whose PkgLength
// reaches past at is that Device.
func enclosingDevice(aml []byte, at int) (start, end int, ok bool) {
	for i := at - 2; i >= 0; i-- {
		if aml[i] != amlExtOp || aml[i+1] != amlDevice {
			continue
		}
		n, nb, ok := pkgLength(aml[i+2:])
		if !ok || n < nb || i+2+n > len(aml) || i+2+n <= at {
			continue
		}
		return i + 2 + nb, i + 2 + n, true
	}
	return 0, 0, false
}

// amlBufferBytes reads Buffer (BufferSize) {ByteList} at the start of p
// (DefBuffer, with its BufferOp) and returns the byte list, cut to
// BufferSize when that is shorter.
func amlBufferBytes(p []byte) ([]byte, bool) {
	if len(p) < 2 || p[0] != amlBuffer {
		return nil, false
	}
	n, nb, ok := pkgLength(p[1:])
	if !ok || n < nb || 1+n > len(p) {
		return nil, false
	}
	size, rest, ok := amlConst(p[1+nb : 1+n])
	if !ok {
		return nil, false
	}
	return rest[:min(uint64(len(rest)), size)], true
}

// readResources walks a resource template by its descriptors' tags and
// lengths up to the End Tag and takes the first Memory32Fixed and the
// first Extended Interrupt's first GSI. A descriptor running past the
// buffer, a missing End Tag, or a template without both is malformed.
func readResources(r []byte) (MMIODevice, bool) {
	var dev MMIODevice
	var mem, irq bool
	for len(r) > 0 {
		tag := r[0]
		if tag&resLarge == 0 {
			n := 1 + int(tag&0x7)
			if n > len(r) {
				return MMIODevice{}, false
			}
			if tag>>3&0xf == resSmallEnd {
				return dev, mem && irq
			}
			r = r[n:]
			continue
		}
		if len(r) < largeHeaderLen {
			return MMIODevice{}, false
		}
		n := int(le.Uint16(r[1:]))
		if largeHeaderLen+n > len(r) {
			return MMIODevice{}, false
		}
		body := r[largeHeaderLen : largeHeaderLen+n]
		switch tag &^ resLarge {
		case resMem32Fixed:
			if n < mem32FixedLen {
				return MMIODevice{}, false
			}
			if !mem {
				dev.Base, dev.Size, mem = uint64(le.Uint32(body[1:])), uint64(le.Uint32(body[5:])), true
				if dev.Size == 0 {
					return MMIODevice{}, false
				}
			}
		case resExtIRQ:
			if n < extIRQMinLen || body[1] == 0 || 2+4*int(body[1]) > n {
				return MMIODevice{}, false
			}
			if !irq {
				dev.GSI, irq = le.Uint32(body[2:]), true
				dev.Level = body[0]&extIRQEdge == 0
				dev.ActiveLow = body[0]&extIRQLow != 0
			}
		}
		r = r[largeHeaderLen+n:]
	}
	return MMIODevice{}, false
}
