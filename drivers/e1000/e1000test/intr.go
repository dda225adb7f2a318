package e1000test

import (
	"time"

	"warren.dev/drivers/e1000/internal/reg"
)

// raise sets interrupt causes (§13.4.17).
func (m *Model) raise(cause uint32) {
	m.r[reg.ICR/4] |= cause
	m.update()
}

// update drives the INTx line: asserted while ICR & IMS is not zero, but
// no sooner than ITR allows after the previous assertion (§13.4.18). The
// platform sees an assertion as one Fire; the line stays asserted, with
// no further Fire, until ICR is read or the causes masked.
func (m *Model) update() {
	if m.r[reg.ICR/4]&m.r[reg.IMS/4] == 0 {
		m.asserted = false
		return
	}
	if m.asserted {
		return
	}
	if itr := m.r[reg.ITR/4] & 0xFFFF; itr != 0 && !m.lastFire.IsZero() {
		gap := time.Duration(itr) * 256 * time.Nanosecond
		if wait := time.Until(m.lastFire.Add(gap)); wait > 0 {
			if m.itrTimer == nil {
				m.itrTimer = time.AfterFunc(wait, func() {
					m.mu.Lock()
					defer m.mu.Unlock()
					m.itrTimer = nil
					m.update()
				})
			}
			return
		}
	}
	m.asserted = true
	m.lastFire = time.Now()
	m.counts.Fires++
	m.irq.Fire()
}
