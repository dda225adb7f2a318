package system

import (
	"errors"
	"fmt"
	"math"
	"os"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/kernelhw"
	"warren.dev/drivers/virtio"
	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/kernel/acpi"
	"warren.dev/net/link"
	"warren.dev/net/nics"
)

// mmioNICs opens the virtio-net devices among the virtio-mmio slots the
// command line places or, when it names none, those the ACPI tables
// declare (a microVM has no bus to enumerate). Empty slots and other
// device types are skipped; a bad option, a device ACPI describes
// wrongly or one that fails is reported, and the others are still
// opened.
func mmioNICs(p hw.Platform, tokens []string) []link.NIC {
	slots, err := virtio.MMIOSlots(tokens)
	if len(slots) == 0 && err == nil {
		var d acpi.MMIODevices
		if err = kernelhw.MMIODevices(&d); err == nil {
			slots, err = acpiMMIOSlots(&d)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "warren: network: %v\n", err)
	}
	var found []link.NIC
	for _, s := range slots {
		nic, err := openMMIONIC(p, s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "warren: network: virtio-mmio at %#x: %v\n", s.Base, err)
			continue
		}
		if nic != nil {
			found = append(found, nic)
		}
	}
	return found
}

// acpiMMIOSlots converts the devices the kernel read from ACPI; one
// whose GSI no I/O APIC pin can be (past 255) is left out and named.
func acpiMMIOSlots(d *acpi.MMIODevices) ([]virtio.MMIOSlot, error) {
	var slots []virtio.MMIOSlot
	var errs []error
	for _, a := range d.Devices[:d.Num] {
		if a.GSI > math.MaxUint8 {
			errs = append(errs, fmt.Errorf("virtio-mmio at %#x (ACPI): GSI %d is past the I/O APIC pins Warren drives", a.Base, a.GSI))
			continue
		}
		slots = append(slots, virtio.MMIOSlot{Base: a.Base, Size: a.Size, IRQ: uint8(a.GSI), Mode: hw.LineMode{Level: a.Level, ActiveLow: a.ActiveLow}, ID: -1})
	}
	if d.Dropped > 0 {
		errs = append(errs, fmt.Errorf("%d more virtio-mmio devices in the ACPI tables left out (at most %d)", d.Dropped, acpi.MaxMMIODevices))
	}
	return slots, errors.Join(errs...)
}

// openMMIONIC maps the slot's registers and, for a network device, routes
// its interrupt as Linux does on a microVM: the GSI with the slot's
// trigger mode and polarity.
func openMMIONIC(p hw.Platform, s virtio.MMIOSlot) (link.NIC, error) {
	regs, err := p.Mapper.MapMMIO(s.Base, s.Size)
	if err != nil {
		return nil, err
	}
	t, id, err := virtio.NewMMIO(regs, s.Size)
	switch {
	case errors.Is(err, virtio.ErrNoDevice), err == nil && id != vnet.DeviceID:
		return nil, nil
	case err != nil:
		return nil, err
	}
	cfg := virtioNetConfig(p, t)
	if cfg.Line, err = p.Interrupts.GSILine(s.IRQ, s.Mode); err != nil {
		return nil, fmt.Errorf("IRQ %d: %w", s.IRQ, err)
	}
	return nics.OpenVirtio(cfg)
}
