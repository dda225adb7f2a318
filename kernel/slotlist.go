package kernel

// slotList is a FIFO of slot indices (threads, socket requests), linked
// through next: an array with an entry for each slot, meaningful only
// while the slot is on the list. The run queue and the socket request
// queue are slotLists; the kernel lock guards both.
type slotList struct{ head, tail int32 }

// emptyList is a slotList holding nothing.
var emptyList = slotList{-1, -1}

// push appends slot i.
//
// Context: kernel (no allocation, no pointer stores).
func (l *slotList) push(next []int32, i int32) {
	next[i] = -1
	if l.tail < 0 {
		l.head = i
	} else {
		next[l.tail] = i
	}
	l.tail = i
}

// pushFront puts slot i at the head.
//
// Context: kernel (no allocation, no pointer stores).
func (l *slotList) pushFront(next []int32, i int32) {
	next[i] = l.head
	l.head = i
	if l.tail < 0 {
		l.tail = i
	}
}

// pop takes the head off; -1 if the list is empty.
//
// Context: kernel (no allocation, no pointer stores).
func (l *slotList) pop(next []int32) int32 {
	i := l.head
	if i >= 0 {
		l.head = next[i]
		if l.head < 0 {
			l.tail = -1
		}
	}
	return i
}

// remove takes slot i off wherever it is, walking from the head; false
// if it is not on the list.
//
// Context: kernel (no allocation, no pointer stores).
func (l *slotList) remove(next []int32, i int32) bool {
	prev := int32(-1)
	for j := l.head; j >= 0; prev, j = j, next[j] {
		if j != i {
			continue
		}
		if prev < 0 {
			l.head = next[j]
		} else {
			next[prev] = next[j]
		}
		if l.tail == j {
			l.tail = prev
		}
		return true
	}
	return false
}
