package kernel

import "warren.dev/boot/multiboot"

// The boot command line carries kernel options (warren.NAME=VALUE), the
// program's environment (NAME=VALUE) and its arguments (everything else;
// all tokens after "--"). Double quotes group words, as on Linux.

const maxArgs = 256

var (
	// argStore holds the unquoted, NUL-terminated strings that argv and envp
	// point into once copied to the user stack: the program's name, then
	// the tokens of the built-in command line and of one of at most
	// multiboot.MaxCmdline bytes from the loader, which with their NULs
	// take at most one byte more than each line.
	argStore        [len(programName) + 1 + len(bakedCmdline) + 1 + multiboot.MaxCmdline + 1]byte
	argStoreLen     int
	argv, envv      [maxArgs][]byte
	nArgv, nEnvv    int
	optCwd          []byte
	optDebugFault   bool
	userSetMemLimit bool
)

const programName = "warren"

// bakedCmdline is a command line built into the image (warren build
// -append, tools/build/bake.go): the tool writes it, NUL-terminated,
// after the marker, which also keeps the array in the image's data, where
// the tool can find it. It comes before the loader's, so that options
// given at boot (warren run -append) add to it.
var bakedCmdline = [2048]byte{'W', 'A', 'R', 'R', 'E', 'N', '-', 'C', 'M', 'D', 'L', 'I', 'N', 'E', ':'}

const bakedMarkerLen = len("WARREN-CMDLINE:")

// baked returns the built-in command line.
//
// Context: kernel (no allocation, no pointer stores).
func baked() []byte {
	b := bakedCmdline[bakedMarkerLen:]
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// bootCmdline keeps the command line, the built-in one and the boot
// loader's, for /proc/cmdline: the loader's copy lies in memory the
// kernel reuses.
var (
	bootCmdline    [len(bakedCmdline) + 1 + multiboot.MaxCmdline]byte
	bootCmdlineLen int
)

// parseCmdline splits the built-in command line, then the loader's. A
// malformed or unknown warren.* option stops the boot with an error that
// names it.
//
// Context: kernel (no allocation, no pointer stores).
func parseCmdline(cmdline, loader []byte) {
	built := baked()
	bootCmdlineLen = copy(bootCmdline[:], built)
	if len(built) > 0 && len(cmdline) > 0 {
		bootCmdlineLen += copy(bootCmdline[bootCmdlineLen:], " ")
	}
	bootCmdlineLen += copy(bootCmdline[bootCmdlineLen:], cmdline)
	addArg(argv[:], &nArgv, saveString(programName))
	if hasPrefix(loader, "qemu") {
		_, cmdline = multiboot.NextToken(cmdline) // QEMU's -kernel puts the image path first
	}
	onlyArgs := parseTokens(built, false)
	parseTokens(cmdline, onlyArgs)
}

// parseTokens takes the tokens of one command line; onlyArgs says that
// an earlier "--" made every token an argument, and the result says it
// for the next line.
//
// Context: kernel (no allocation, no pointer stores).
func parseTokens(rest []byte, onlyArgs bool) bool {
	for {
		var tok []byte
		tok, rest = multiboot.NextToken(rest)
		if len(tok) == 0 {
			return onlyArgs
		}
		s := saveToken(tok)
		switch {
		case onlyArgs:
			addArg(argv[:], &nArgv, s)
		case string(s) == "--":
			onlyArgs = true
		case hasPrefix(s, "warren."):
			kernelOption(s)
		case hasPrefix(s, "virtio_mmio.device="):
			// A device for warren.dev/system to find (Linux's syntax,
			// drivers/virtio.MMIOSlots), not the program's argument.
		case isEnvAssignment(s):
			if hasPrefix(s, "GOMEMLIMIT=") {
				userSetMemLimit = true
			}

			addArg(envv[:], &nEnvv, s)
		default:
			addArg(argv[:], &nArgv, s)
		}
	}
}

// kernelOption applies one warren.NAME=VALUE option.
func kernelOption(opt []byte) {
	switch {
	case hasPrefix(opt, "warren.cwd=/"):
		optCwd = opt[len("warren.cwd="):]
	case string(opt) == "warren.debug=fault":
		optDebugFault = true
	case string(opt) == "warren.exit=debugexit":
		exitMethod = exitDebugExit
	case string(opt) == "warren.exit=acpi":
		exitMethod = exitACPI
	case string(opt) == "warren.exit=reset":
		exitMethod = exitReset
	case hasPrefix(opt, "warren.limit.mem="):
		optMemLimit = optionSize(opt, len("warren.limit.mem="))
	case hasPrefix(opt, "warren.limit.threads="):
		limitDefaults.threads = int32(min(optionSize(opt, len("warren.limit.threads=")), maxThreads-firstThread))
	case hasPrefix(opt, "warren.limit.nofile="):
		limitDefaults.files = int32(min(optionSize(opt, len("warren.limit.nofile=")), maxFDs))
	case hasPrefix(opt, "warren.tmpfs="):
		optTmpfsSize = optionSize(opt, len("warren.tmpfs="))
	case hasPrefix(opt, "warren.stats="):
		// The system (warren.dev/system) serves the counters on this
		// port; the kernel only checks the value, so that a bad one stops
		// the boot as every bad option does.
		if !validPort(opt[len("warren.stats="):]) {
			var l line
			l.s("warren: bad boot option ").b(opt).s(": want a TCP port, 1 to 65535").put()
			powerOff(exitBootFailure)
		}
	default:
		var l line
		l.s("warren: unknown boot option ").b(opt).s(" (known: warren.cwd=/DIR, warren.debug=fault, warren.exit=debugexit|acpi|reset, warren.limit.mem=SIZE, warren.limit.threads=N, warren.limit.nofile=N, warren.stats=PORT, warren.tmpfs=SIZE)").put()
		powerOff(exitBootFailure)
	}
}

// optionSize parses the value of opt after its name (at) as a positive
// decimal number with an optional K, M or G suffix; anything else stops
// the boot with an error naming the option.
func optionSize(opt []byte, at int) uint64 {
	v, shift := multiboot.SizeSuffix(opt[at:])
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' || n > 1<<40 {
			n = 0
			break
		}
		n = n*10 + uint64(c-'0')
	}
	if n == 0 {
		var l line
		l.s("warren: bad boot option ").b(opt).s(": want a positive number (K, M or G may follow)").put()
		powerOff(exitBootFailure)
	}
	return n << shift
}

// validPort reports whether v is a decimal TCP port, 1 to 65535, without
// leading zeros.
//
// Context: kernel (no allocation, no pointer stores).
func validPort(v []byte) bool {
	if len(v) == 0 || len(v) > 5 || v[0] == '0' {
		return false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// saveToken copies a token without its quotes into argStore,
// NUL-terminated.
func saveToken(tok []byte) []byte {
	if argStoreLen+len(tok)+1 > len(argStore) {
		bootFail("boot command line too long")
	}
	n, _ := multiboot.Unquote(argStore[argStoreLen:], tok)
	return endString(n)
}

// saveString copies s into argStore, NUL-terminated.
func saveString(s string) []byte {
	if argStoreLen+len(s)+1 > len(argStore) {
		bootFail("boot command line too long")
	}
	return endString(copy(argStore[argStoreLen:], s))
}

func endString(n int) []byte {
	s := argStore[argStoreLen : argStoreLen+n]
	argStore[argStoreLen+n] = 0
	argStoreLen += n + 1
	return s
}

func addArg(list [][]byte, n *int, s []byte) {
	if *n == len(list) {
		bootFail("too many arguments or variables on the boot command line")
	}
	list[*n] = s
	*n++
}

func hasPrefix(s []byte, p string) bool { return len(s) >= len(p) && string(s[:len(p)]) == p }

// isEnvAssignment reports NAME=VALUE with NAME a shell identifier.
func isEnvAssignment(s []byte) bool {
	for i, c := range s {
		switch {
		case c == '=':
			return i > 0
		case c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return false
}
