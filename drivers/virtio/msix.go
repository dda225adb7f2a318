package virtio

// MSIX is the function's MSI-X table as a virtio driver needs it. The PCI
// layer implements it and enables MSI-X in the capability's message
// control before the driver starts; with MSI-X enabled the device uses the
// vectors written to config_msix_vector and queue_msix_vector and leaves
// the ISR status unused (§4.1.5.1.2).
type MSIX interface {
	// Vectors is the number of table entries (Table Size + 1).
	Vectors() int
	// Route points table entry i at an MSI message and unmasks it.
	Route(i int, addr uint64, data uint32) error
}
