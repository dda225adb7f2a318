package kernel

// The PC machine Warren boots on (QEMU's pc/q35 and real PCs): the one
// place that knows fixed port numbers and vectors.
const (
	com1Port      = 0x3f8
	debugExitPort = 0xf4 // QEMU isa-debug-exit: status v exits QEMU with (v<<1)|1
	picMasterPort = 0x20
	picSlavePort  = 0xa0
)
