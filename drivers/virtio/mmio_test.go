package virtio_test

import (
	"errors"
	"slices"
	"testing"

	"warren.dev/drivers/hw/hwtest"
	"warren.dev/drivers/virtio"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// mmioIdentity answers the identification registers (magic, version,
// device ID) and passes other reads to read.
func mmioIdentity(read func(uint64, int) uint64, version, id uint64) func(uint64, int) uint64 {
	return func(off uint64, width int) uint64 {
		switch off {
		case 0x000:
			return 0x74726976
		case 0x004:
			return version
		case 0x008:
			return id
		}
		return read(off, width)
	}
}

func TestNewMMIO(t *testing.T) {
	zero := func(uint64, int) uint64 { return 0 }
	regs := func(version, id uint64) *hwtest.Regs {
		return &hwtest.Regs{Read: mmioIdentity(zero, version, id), Write: func(uint64, int, uint64) {}}
	}
	if _, _, err := virtio.NewMMIO(&hwtest.Regs{Read: zero}, 0x200); err == nil {
		t.Error("bad magic value accepted")
	}
	if _, _, err := virtio.NewMMIO(regs(2, 1), 0xfc); err == nil {
		t.Error("register block without ConfigGeneration accepted")
	}
	// QEMU's empty slots are legacy ones: skipped, not refused.
	if _, _, err := virtio.NewMMIO(regs(1, 0), 0x200); !errors.Is(err, virtio.ErrNoDevice) {
		t.Errorf("empty slot: %v", err)
	}
	if _, id, err := virtio.NewMMIO(regs(1, 1), 0x200); !errors.Is(err, virtio.ErrLegacyMMIO) || id != 1 {
		t.Errorf("legacy device: id %d, %v", id, err)
	}
	if _, _, err := virtio.NewMMIO(regs(3, 1), 0x200); err == nil {
		t.Error("unknown version accepted")
	}
	m, _ := newModel(t, devmodel.Options{Features: devmodel.FVersion1, MMIO: true, MMIOVersion: 1})
	if _, _, err := virtio.NewMMIO(m.MMIORegs()); !errors.Is(err, virtio.ErrLegacyMMIO) {
		t.Errorf("legacy model: %v", err)
	}
}

// TestMMIOInterruptStatus: a cause raised between the read of
// InterruptStatus and its acknowledgement is acknowledged too, so the
// edge-triggered line drops and the next cause makes a new edge.
func TestMMIOInterruptStatus(t *testing.T) {
	pending := []uint64{1, 2, 0}
	var acks []uint64
	regs := &hwtest.Regs{
		Read: mmioIdentity(func(off uint64, width int) uint64 {
			if off != 0x060 || width != 4 {
				t.Fatalf("read %d bytes at %#x", width, off)
			}
			v := pending[0]
			pending = pending[1:]
			return v
		}, 2, 1),
		Write: func(off uint64, width int, v uint64) {
			if off != 0x064 || width != 4 {
				t.Fatalf("write %d bytes at %#x", width, off)
			}
			acks = append(acks, v)
		},
	}
	tr, _, err := virtio.NewMMIO(regs, 0x200)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.InterruptStatus(); got != virtio.ISRQueue|virtio.ISRConfig {
		t.Errorf("causes %#x", got)
	}
	if !slices.Equal(acks, []uint64{1, 2}) {
		t.Errorf("acknowledged %v", acks)
	}
}
