// Package system assembles a Warren image: importing it links the kernel,
// drivers, network stack and syscall table into a Go program. The warren
// tool adds the import at build time, so programs need no change.
package system

import _ "warren.dev/kernel"
