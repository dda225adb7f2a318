package kernel

import "warren.dev/kernel/cmos"

// readRTC returns the CMOS real-time clock as seconds since the Unix
// epoch.
//
// Context: kernel (no allocation, no pointer stores).
func readRTC() int64 { return cmos.UnixTime(hardware{}) }
