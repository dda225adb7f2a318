package virtio

import (
	"errors"
	"fmt"
)

// ErrVectorRefused is returned when the device reads back NO_VECTOR for an
// MSI-X vector the driver mapped (§4.1.5.1.2: mapping can fail for lack
// of device resources); the driver may retry with fewer vectors.
var ErrVectorRefused = errors.New("virtio: device refused the MSI-X vector mapping")

// QueueMaxSize selects queue i and returns its maximum size, 0 if the
// queue is unavailable (§4.1.5.1.3, §4.2.3.2).
func (t *Transport) QueueMaxSize(i int) int { return t.regs.selectQueue(i) }

// SetConfigVector maps configuration change notifications to MSI-X table
// entry v (NoVector unmaps them) and checks the device accepted it.
func (t *Transport) SetConfigVector(v uint16) error { return t.regs.setConfigVector(v) }

// Ring is what a driver tells the device about one split virtqueue.
type Ring interface {
	Size() int
	// Addresses returns the physical addresses of the descriptor table,
	// the driver area (available ring) and the device area (used ring).
	Addresses() (desc, driver, device uint64)
}

// EnableQueue configures queue i with ring r and MSI-X vector v (NoVector
// when MSI-X is not used) and enables it (§4.1.5.1.3, §4.2.3.2). It
// returns the doorbell for available buffer notifications on the queue.
// The queue must not be enabled yet: every queue is disabled after reset.
func (t *Transport) EnableQueue(i int, r Ring, v uint16) (Notifier, error) {
	max := t.regs.selectQueue(i)
	size := r.Size()
	switch {
	case max == 0:
		return nil, fmt.Errorf("virtio: queue %d is unavailable", i)
	case size > max || size&(size-1) != 0:
		// Split rings MUST have a power-of-2 size (§2.7).
		return nil, fmt.Errorf("virtio: queue %d: size %d (device maximum %d)", i, size, max)
	case t.regs.queueEnabled():
		return nil, fmt.Errorf("virtio: queue %d is already enabled", i)
	}
	desc, driver, device := r.Addresses()
	bell, err := t.regs.setupQueue(i, size, desc, driver, device, v)
	if err != nil {
		return nil, err
	}
	// The other fields are configured before the queue is enabled
	// (§4.1.4.3.2, §4.2.3.2).
	t.regs.enableQueue()
	return bell, nil
}
