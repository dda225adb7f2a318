package pci

import (
	"encoding/binary"
	"fmt"
)

// fakeConfig is configuration space modelled at register level: each
// function is a byte array with, per byte, the bits software may write
// and the bits a written 1 clears. A BAR sizes itself the way hardware
// does: the address bits below its size are not writable, so writing all
// ones reads back the size mask.
type fakeConfig struct {
	fns map[Address]*fakeFn
	// onWrite, when set, sees each write to a present function before it
	// lands.
	onWrite func(a Address, off uint8, v uint32)
}

type fakeFn struct {
	space []byte // 256 bytes, or 4096 for a PCI Express function
	wmask []byte
	w1c   []byte
	last  uint8 // offset of the last capability added, 0 if none
}

func newFakeConfig() *fakeConfig { return &fakeConfig{fns: map[Address]*fakeFn{}} }

func (f *fakeConfig) Read32(a Address, off uint8) uint32 {
	if off&3 != 0 {
		panic(fmt.Sprintf("unaligned config read %v+%#x", a, off))
	}
	fn, ok := f.fns[a]
	if !ok {
		return 0xffffffff // master abort
	}
	return binary.LittleEndian.Uint32(fn.space[off:])
}

func (f *fakeConfig) Write32(a Address, off uint8, v uint32) {
	if off&3 != 0 {
		panic(fmt.Sprintf("unaligned config write %v+%#x", a, off))
	}
	fn, ok := f.fns[a]
	if !ok {
		return
	}
	if f.onWrite != nil {
		f.onWrite(a, off, v)
	}
	for i := 0; i < 4; i++ {
		o, b := int(off)+i, byte(v>>(8*i))
		s := fn.space[o]&^fn.wmask[o] | b&fn.wmask[o]
		fn.space[o] = s &^ (b & fn.w1c[o])
	}
}

// snapshot copies every function's space.
func (f *fakeConfig) snapshot() map[Address][]byte {
	m := map[Address][]byte{}
	for a, fn := range f.fns {
		m[a] = append([]byte(nil), fn.space...)
	}
	return m
}

// add puts a function at a with the given identity. Its command register
// has QEMU's writable bits, its status register the error bits as RW1C,
// and the interrupt line is writable.
func (f *fakeConfig) add(a Address, vendor, device uint16, class uint32, rev, header uint8) *fakeFn {
	fn := &fakeFn{space: make([]byte, 256), wmask: make([]byte, 256), w1c: make([]byte, 256)}
	fn.set16(RegVendorID, vendor, 0)
	fn.set16(RegDeviceID, device, 0)
	fn.set32(RegRevision, class<<8|uint32(rev), 0)
	fn.set8(RegHeaderType, header, 0)
	fn.set16(RegCommand, 0, 0x0547) // I/O, memory, master, parity, SERR, INTx disable
	fn.setW1C16(RegStatus, 0xf900)  // parity, target/master aborts, SERR, detected parity
	fn.set8(RegIntLine, 0, 0xff)
	f.fns[a] = fn
	return fn
}

func (fn *fakeFn) set8(off int, v, wmask uint8) { fn.space[off], fn.wmask[off] = v, wmask }
func (fn *fakeFn) set16(off int, v, wmask uint16) {
	fn.set8(off, uint8(v), uint8(wmask))
	fn.set8(off+1, uint8(v>>8), uint8(wmask>>8))
}
func (fn *fakeFn) set32(off int, v, wmask uint32) {
	fn.set16(off, uint16(v), uint16(wmask))
	fn.set16(off+2, uint16(v>>16), uint16(wmask>>16))
}
func (fn *fakeFn) setW1C16(off int, bits uint16) {
	fn.w1c[off], fn.w1c[off+1] = uint8(bits), uint8(bits>>8)
}
func (fn *fakeFn) get16(off int) uint16 { return binary.LittleEndian.Uint16(fn.space[off:]) }
func (fn *fakeFn) get32(off int) uint32 { return binary.LittleEndian.Uint32(fn.space[off:]) }

func (fn *fakeFn) mem32BAR(i int, addr uint32, size uint32, prefetch bool) {
	flags := uint32(0)
	if prefetch {
		flags |= barPrefetch
	}
	fn.set32(RegBAR0+4*i, addr|flags, ^(size-1)&^barMemoryFlags)
}

func (fn *fakeFn) mem64BAR(i int, addr, size uint64, prefetch bool) {
	flags := uint64(barMemType64)
	if prefetch {
		flags |= barPrefetch
	}
	mask := ^(size - 1)
	fn.set32(RegBAR0+4*i, uint32(addr|flags), uint32(mask)&^barMemoryFlags)
	fn.set32(RegBAR0+4*i+4, uint32(addr>>32), uint32(mask>>32))
}

// ioBAR decodes 32-bit port addresses, as QEMU's do, or, with only16,
// hardwires the upper half to zero as 16-bit decoders may.
func (fn *fakeFn) ioBAR(i int, port, size uint32, only16 bool) {
	mask := ^(size - 1) &^ barIOFlags
	if only16 {
		mask &= 0xffff
	}
	fn.set32(RegBAR0+4*i, port|barIO, mask)
}

// addCap appends a capability at off to the list, setting the status bit
// and linking it from the header or the previous entry.
func (fn *fakeFn) addCap(off, id uint8) {
	fn.space[off], fn.space[off+1] = id, 0
	if fn.last == 0 {
		fn.space[RegCapPtr] = off
	} else {
		fn.space[fn.last+1] = off
	}
	fn.last = off
	fn.space[RegStatus] |= StatusCapList
}

// addMSI adds an MSI capability with 2^mmc vectors.
func (fn *fakeFn) addMSI(off uint8, mmc int, is64, pvm bool) {
	fn.addCap(off, CapMSI)
	ctl := uint16(mmc) << msiMMCShift
	data := int(off) + 8
	if is64 {
		ctl |= msi64
		fn.set32(int(off)+8, 0, 0xffffffff)
		data += 4
	}
	if pvm {
		ctl |= msiVectorMsk
		vecs := uint32(1)<<(1<<mmc) - 1
		fn.set32(data+4, 0, vecs) // mask
		fn.set32(data+8, 0, 0)    // pending, read-only
	}
	fn.set16(int(off)+2, ctl, msiEnable|msiMMEMask)
	fn.set32(int(off)+4, 0, 0xfffffffc)
	fn.set16(data, 0, 0xffff)
}

// addMSIX adds an MSI-X capability; the table and PBA are the test's to
// model.
func (fn *fakeFn) addMSIX(off uint8, size int, tableBIR int, tableOff uint32, pbaBIR int, pbaOff uint32) {
	fn.addCap(off, CapMSIX)
	fn.set16(int(off)+2, uint16(size-1), msixEnable|msixFunctionMask)
	fn.set32(int(off)+4, tableOff|uint32(tableBIR), 0)
	fn.set32(int(off)+8, pbaOff|uint32(pbaBIR), 0)
}

// Virtio structure types (virtio 1.2 §4.1.4).
const (
	virtioCommonCfg = 1
	virtioNotifyCfg = 2
	virtioISRCfg    = 3
	virtioDeviceCfg = 4
	virtioPCICfg    = 5
)

// addVirtioCap adds a virtio_pci_cap: cap_len, cfg_type, bar, id,
// padding, offset, length.
func (fn *fakeFn) addVirtioCap(off uint8, length, cfgType, bar uint8, at, size uint32) {
	fn.addCap(off, CapVendor)
	fn.space[off+2], fn.space[off+3], fn.space[off+4] = length, cfgType, bar
	fn.set32(int(off)+8, at, 0)
	fn.set32(int(off)+12, size, 0)
}
