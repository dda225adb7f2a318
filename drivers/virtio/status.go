package virtio

// Device status bits (virtio 1.2 §2.1).
const (
	StatusAcknowledge      = 1
	StatusDriver           = 2
	StatusDriverOK         = 4
	StatusFeaturesOK       = 8
	StatusDeviceNeedsReset = 64
	StatusFailed           = 128
)

// ISR status bits (§4.1.4.5), read when MSI-X is off.
const (
	ISRQueue  = 1
	ISRConfig = 2
)

// NoVector is the MSI-X vector value that unmaps an event (§4.1.5.1.2).
const NoVector = 0xffff

// PCI identification (§4.1.2): vendor 0x1AF4, modern device ID 0x1040
// plus the virtio device ID. Transitional devices use IDs 0x1000-0x103f;
// they also expose the modern capabilities, which is all this package
// uses.
const (
	PCIVendorID     = 0x1af4
	PCIDeviceIDBase = 0x1040
)
