package multiboot

import "errors"

// Errors returned by Parse. They are package variables, which the compiler
// lays out statically, so they exist before the Go runtime runs.
var (
	ErrInfoRange = errors.New("multiboot: information structure outside memory")

	ErrCmdlineRange      = errors.New("multiboot: command line outside memory")
	ErrCmdlineTooLong    = errors.New("multiboot: command line longer than 8192 bytes (MaxCmdline)")
	ErrLoaderNameRange   = errors.New("multiboot: boot loader name outside memory")
	ErrLoaderNameTooLong = errors.New("multiboot: boot loader name longer than MaxString bytes")

	ErrMmapRange      = errors.New("multiboot: memory map outside memory")
	ErrMmapTooLong    = errors.New("multiboot: memory map longer than 64 KiB")
	ErrMmapEntryShort = errors.New("multiboot: memory map entry shorter than 20 bytes")
	ErrMmapTruncated  = errors.New("multiboot: memory map entry runs past mmap_length")

	ErrModulesRange         = errors.New("multiboot: module list outside memory")
	ErrTooManyModules       = errors.New("multiboot: more than MaxModules modules")
	ErrModuleBounds         = errors.New("multiboot: module ends before it starts")
	ErrModuleRange          = errors.New("multiboot: module outside memory")
	ErrModuleCmdlineRange   = errors.New("multiboot: module string outside memory")
	ErrModuleCmdlineTooLong = errors.New("multiboot: module string longer than MaxString bytes")
)
