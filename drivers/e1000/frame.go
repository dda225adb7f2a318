package e1000

// Ethernet sizes.
const (
	ethHeaderLen = 14
	minFrameLen  = 60 // without FCS
	vlanTagLen   = 4
	// MTU is the largest IP packet a standard frame carries.
	MTU = 1500
	// MaxFrameLen is the largest frame, without FCS, sent or accepted
	// without segmentation: an 802.1Q-tagged full-MTU frame. The receiver
	// runs with RCTL.LPE clear, so the device drops longer ones (§13.4.22).
	MaxFrameLen = ethHeaderLen + vlanTagLen + MTU
	// MaxGSOLen is the largest GSO frame: a 64 KiB IP packet behind its
	// Ethernet header.
	MaxGSOLen = ethHeaderLen + vlanTagLen + 65535
)
