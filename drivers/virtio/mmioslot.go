package virtio

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"warren.dev/boot/multiboot"
	"warren.dev/drivers/hw"
)

// MMIOOption is the boot option that places a virtio-mmio device, in
// Linux's syntax: virtio_mmio.device=SIZE@BASE:IRQ[:ID]. QEMU's microvm
// (auto-kernel-cmdline) and Firecracker write one per device; there is no
// bus to enumerate.
const MMIOOption = "virtio_mmio.device="

// MMIOSlot is one virtio-mmio device's register block and interrupt.
type MMIOSlot struct {
	Base, Size uint64
	IRQ        uint8       // the GSI: an I/O APIC pin
	Mode       hw.LineMode // edge-triggered, active high for MMIOOption's
	ID         int         // Linux's platform device ID; -1 when not given
}

// MMIOSlots parses every MMIOOption among the boot command line's tokens,
// in order. A bad option is left out and named in the error; the good
// ones are returned beside it.
func MMIOSlots(tokens []string) ([]MMIOSlot, error) {
	var slots []MMIOSlot
	var errs []error
	for _, tok := range tokens {
		v, ok := strings.CutPrefix(tok, MMIOOption)
		if !ok {
			continue
		}
		s, err := parseMMIOSlot(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("bad boot option %s: want SIZE@BASE:IRQ[:ID] (512@0xfeb00e00:12): %w", tok, err))
			continue
		}
		slots = append(slots, s)
	}
	return slots, errors.Join(errs...)
}

func parseMMIOSlot(v string) (MMIOSlot, error) {
	size, rest, ok := strings.Cut(v, "@")
	if !ok {
		return MMIOSlot{}, errors.New("no @ after the size")
	}
	base, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return MMIOSlot{}, errors.New("no :IRQ after the base address")
	}
	irq, id, hasID := strings.Cut(rest, ":")
	s := MMIOSlot{ID: -1}
	var err error
	if s.Size, err = parseSize(size); err != nil {
		return MMIOSlot{}, fmt.Errorf("size %q: %w", size, err)
	}
	if s.Base, err = strconv.ParseUint(base, 0, 64); err != nil {
		return MMIOSlot{}, fmt.Errorf("base address %q: want a number (0x... for hex)", base)
	}
	if s.Base+s.Size < s.Base {
		return MMIOSlot{}, fmt.Errorf("%#x bytes at %#x pass the end of the address space", s.Size, s.Base)
	}
	n, err := strconv.ParseUint(irq, 10, 8)
	if err != nil {
		return MMIOSlot{}, fmt.Errorf("IRQ %q: want a decimal number, 0 to 255", irq)
	}
	s.IRQ = uint8(n)
	if hasID {
		n, err := strconv.ParseUint(id, 10, 31)
		if err != nil {
			return MMIOSlot{}, fmt.Errorf("ID %q: want a decimal number", id)
		}
		s.ID = int(n)
	}
	return s, nil
}

// parseSize reads a positive number (0x... for hex) with an optional K,
// M or G suffix, as Linux's memparse does.
func parseSize(v string) (uint64, error) {
	v, shift := multiboot.SizeSuffix(v)
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil || n == 0 || n > math.MaxUint64>>shift {
		return 0, errors.New("want a positive number with an optional K, M or G suffix")
	}
	return n << shift, nil
}
