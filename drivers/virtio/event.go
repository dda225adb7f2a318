package virtio

// needEvent is the event-index rule (vring_need_event, §2.7.7.2 and
// §2.7.10): a side that moved its index from old to new must notify the
// other if the other's event index lies in [old, new), modulo 2^16,
// that is if the entry with index event was among those just written.
func needEvent(event, new, old uint16) bool {
	return new-event-1 < new-old
}
