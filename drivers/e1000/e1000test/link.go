package e1000test

import (
	"time"

	"warren.dev/drivers/e1000/internal/reg"
)

// status is STATUS (§13.4.2): full duplex at 1000 Mb/s, LU when the link
// is up.
func (m *Model) status() uint32 {
	v := uint32(reg.STATUS_FD | reg.STATUS_SPEED_1000)
	if m.lu {
		v |= reg.STATUS_LU
	}
	return v
}

// SetLink plugs the cable in or pulls it out. The link comes up
// Config.LinkDelay after the cable is in and CTRL.SLU set.
func (m *Model) SetLink(up bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wire = up
	m.linkCheck()
}

// linkCheck starts auto-negotiation or takes the link down as the cable
// and CTRL.SLU say.
func (m *Model) linkCheck() {
	want := m.wire && m.r[reg.CTRL/4]&reg.CTRL_SLU != 0
	switch {
	case !want:
		m.stopAutoneg()
		m.setLU(false)
	case !m.lu && m.autoneg == nil:
		if m.cfg.LinkDelay <= 0 {
			m.setLU(true)
			return
		}
		gen := m.linkGen
		m.autoneg = time.AfterFunc(m.cfg.LinkDelay, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if gen == m.linkGen {
				m.autoneg = nil
				m.setLU(true)
			}
		})
	}
}

func (m *Model) stopAutoneg() {
	m.linkGen++
	if m.autoneg != nil {
		m.autoneg.Stop()
		m.autoneg = nil
	}
}

func (m *Model) setLU(up bool) {
	if m.lu == up {
		return
	}
	m.lu = up
	m.raise(reg.ICR_LSC)
	if up {
		m.drainFIFO()
	}
}
