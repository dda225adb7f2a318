// Package rules holds no code: its tests check rules the whole tree
// keeps, which the compiler and go vet do not (docs/kernel-context.md).
package rules
