package system

import (
	"errors"
	"fmt"
	"os"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/net/link"
	"warren.dev/net/nics"
)

// mmioNICs opens the virtio-net devices among the virtio-mmio slots the
// command line places (a microVM has no bus to enumerate). Empty slots
// and other device types are skipped; a bad option or a device that
// fails is reported, and the others are still opened.
func mmioNICs(p hw.Platform, tokens []string) []link.NIC {
	slots, err := virtio.MMIOSlots(tokens)
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

// openMMIONIC maps the slot's registers and, for a network device, routes
// its interrupt as Linux does on a microVM: the GSI as given,
// edge-triggered, active high.
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
	if cfg.Line, err = p.Interrupts.EdgeLine(s.IRQ); err != nil {
		return nil, fmt.Errorf("IRQ %d: %w", s.IRQ, err)
	}
	return nics.OpenVirtio(cfg)
}
