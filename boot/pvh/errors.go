package pvh

import "errors"

// Errors returned by Parse. They are package variables, which the compiler
// lays out statically, so they exist before the Go runtime runs.
var (
	ErrInfoRange = errors.New("pvh: start information outside memory")
	ErrMagic     = errors.New("pvh: start information has the wrong magic")
	ErrVersion   = errors.New("pvh: start information version 0 has no memory map")

	ErrCmdlineRange   = errors.New("pvh: command line outside memory")
	ErrCmdlineTooLong = errors.New("pvh: command line longer than 8192 bytes (multiboot.MaxCmdline)")

	ErrTooManyModules       = errors.New("pvh: more than multiboot.MaxModules modules")
	ErrModulesRange         = errors.New("pvh: module list outside memory")
	ErrModuleRange          = errors.New("pvh: module outside memory")
	ErrModuleCmdlineRange   = errors.New("pvh: module string outside memory")
	ErrModuleCmdlineTooLong = errors.New("pvh: module string longer than multiboot.MaxString bytes")

	ErrMemmapTooLong = errors.New("pvh: memory map of more than MaxMemmapEntries entries")
	ErrMemmapRange   = errors.New("pvh: memory map outside memory")
)
