package kernel

// Linux ABI values that golang.org/x/sys/unix does not define for
// linux/amd64 (linux/futex.h, asm/prctl.h, asm-generic/ioctls.h,
// asm-generic/resource.h).
const (
	futexWait          = 0
	futexWake          = 1
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256

	archSetGS = 0x1001
	archSetFS = 0x1002
	archGetFS = 0x1003
	archGetGS = 0x1004

	ioctlFIONREAD = 0x541b
	ioctlFIONBIO  = 0x5421

	rlimNLimits = 16
)
