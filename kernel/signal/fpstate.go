package signal

// The FPU image a signal frame carries is the thread's FXSAVE area (512
// bytes) or its standard-format (not compacted) XSAVE area (512-byte legacy
// region, 64-byte header, extended components). For XSAVE images Linux
// keeps struct _fpx_sw_bytes in the legacy region's software-reserved
// bytes 464..511, which FXSAVE/XSAVE never write, and puts a second magic
// after the image.
//
// Warren keeps its own copy of those bytes in each thread's image
// (PrepareXSave, once per thread): Deliver requires them and Return trusts
// only them, never the user's copy, for the features it may restore.
const (
	fxsaveSize   = 512
	xsaveMinSize = fxsaveSize + 64

	offMXCSR     = 24
	offMXCSRMask = 28
	offSWBytes   = 464
	offXStateBV  = 512

	fpxMagic1     = 0x46505853
	fpxMagic2     = 0x46505845
	fpxMagic2Size = 4

	// Legacy-region init values (SDM vol. 1, 13.6 and FNINIT).
	initFCW   = 0x037f
	initMXCSR = 0x1f80
	// MXCSR_MASK 0 means the CPU predates it: the default mask.
	defaultMXCSRMask = 0xffbf
	// The x87 and SSE state components, always restorable.
	xfeatFPSSE = 3
)

// PrepareXSave records, in the software-reserved bytes of a thread's XSAVE
// image, the state components (XCR0's user bits) a sigreturn may restore.
// Call it once per thread; XSAVE leaves those bytes alone afterwards.
//
// Context: kernel (no allocation, no pointer stores).
func PrepareXSave(img []byte, xfeatures uint64) error {
	if len(img) < xsaveMinSize || len(img) > 1<<30 {
		return errInval
	}
	sw := img[offSWBytes:fxsaveSize]
	clear(sw)
	le.PutUint32(sw[0:], fpxMagic1)
	le.PutUint32(sw[4:], uint32(len(img)+fpxMagic2Size)) // extended_size
	le.PutUint64(sw[8:], xfeatures|xfeatFPSSE)
	le.PutUint32(sw[16:], uint32(len(img))) // xstate_size
	return nil
}

// swValid reports whether img's software-reserved bytes describe img.
func swValid(img []byte) bool {
	return le.Uint32(img[offSWBytes:]) == fpxMagic1 &&
		le.Uint32(img[offSWBytes+4:]) == uint32(len(img)+fpxMagic2Size) &&
		le.Uint32(img[offSWBytes+16:]) == uint32(len(img))
}

func swFeatures(img []byte) uint64 { return le.Uint64(img[offSWBytes+8:]) }

// fpFrameSize is the room the image takes in a signal frame, and whether
// it is an XSAVE image. Any other length is a kernel bug: EINVAL.
func fpFrameSize(img []byte) (size uint64, xsave bool, err error) {
	switch {
	case len(img) == 0:
		return 0, false, nil
	case len(img) == fxsaveSize:
		return fxsaveSize, false, nil
	case len(img) >= xsaveMinSize && len(img) <= 1<<30 && swValid(img):
		return uint64(len(img)) + fpxMagic2Size, true, nil
	}
	return 0, false, errInval
}

// fpAlign is the alignment FXRSTOR (16) or XRSTOR (64) needs.
func fpAlign(img []byte) uint64 {
	if len(img) > fxsaveSize {
		return 64
	}
	return 16
}

// kernelFP holds the parts of the thread's image the user must not change.
type kernelFP struct {
	mxcsrMask uint32
	sw        [fxsaveSize - offSWBytes]byte
}

func saveKernelFP(img []byte) (k kernelFP) {
	if len(img) < fxsaveSize {
		return k
	}
	k.mxcsrMask = le.Uint32(img[offMXCSRMask:])
	copy(k.sw[:], img[offSWBytes:fxsaveSize])
	return k
}

// sanitizeFP makes a user-supplied image safe to restore: MXCSR reserved
// bits (a #GP in FXRSTOR/XRSTOR) are cleared, the kernel's own fields are
// put back, and for XSAVE the header is made valid for a standard-format
// XRSTOR: XSTATE_BV limited to the kernel's features, XCOMP_BV and the
// reserved bytes zero. userSW says whether the user's copy of the software
// bytes and magic2 were intact; if not, as on Linux, only x87 and SSE
// state is restored and the rest returns to its init state.
func sanitizeFP(img []byte, k *kernelFP, userSW bool) {
	if len(img) < fxsaveSize {
		return
	}
	mask := k.mxcsrMask
	if mask == 0 {
		mask = defaultMXCSRMask
	}
	le.PutUint32(img[offMXCSR:], le.Uint32(img[offMXCSR:])&mask)
	le.PutUint32(img[offMXCSRMask:], k.mxcsrMask)
	userFeatures := swFeatures(img)
	copy(img[offSWBytes:fxsaveSize], k.sw[:])
	if len(img) < xsaveMinSize {
		return
	}
	allowed := swFeatures(img) // the kernel's copy, just restored
	if userSW {
		allowed &= userFeatures | xfeatFPSSE
	} else {
		allowed &= xfeatFPSSE
	}
	le.PutUint64(img[offXStateBV:], le.Uint64(img[offXStateBV:])&allowed)
	clear(img[offXStateBV+8 : xsaveMinSize])
}

// resetFP puts the image in the processor's init state, keeping the
// kernel's own fields: what Linux does for a sigreturn without FPU state.
func resetFP(img []byte, k *kernelFP) {
	if len(img) < fxsaveSize {
		clear(img)
		return
	}
	clear(img)
	le.PutUint16(img[0:], initFCW)
	le.PutUint32(img[offMXCSR:], initMXCSR)
	le.PutUint32(img[offMXCSRMask:], k.mxcsrMask)
	copy(img[offSWBytes:fxsaveSize], k.sw[:])
	// XSTATE_BV 0: XRSTOR initialises every component.
}

// InitXSave makes img the XSAVE image of a new thread that starts with
// every state component in its initial configuration (XSTATE_BV 0; the
// MXCSR, which XRSTOR loads regardless, at its power-on value), then
// prepares it as PrepareXSave does.
//
// Context: kernel (no allocation, no pointer stores).
func InitXSave(img []byte, xfeatures uint64) error {
	if len(img) < xsaveMinSize {
		return errInval
	}
	clear(img)
	le.PutUint16(img[0:], initFCW)
	le.PutUint32(img[offMXCSR:], initMXCSR)
	return PrepareXSave(img, xfeatures)
}
