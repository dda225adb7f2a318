package net

import (
	"errors"
	"sync/atomic"

	"warren.dev/net/link"
)

var defaultStack atomic.Pointer[Stack]

// Default is the stack the system started from the boot command line, or
// nil when there is none (no NIC, or a program run outside Warren).
func Default() *Stack { return defaultStack.Load() }

// SetDefault makes s the stack Default returns.
func SetDefault(s *Stack) { defaultStack.Store(s) }

// ErrNoStack is returned by helpers that need a default stack when none
// was started.
var ErrNoStack = errors.New("net: no network stack (no NIC found, or not running on Warren)")

// StartDefault parses the network options among the boot command-line
// tokens, starts a stack over nics and makes it the default; warn is told
// of what the stack starts despite (Config.Warn). It is the entry point
// for the system glue.
func StartDefault(tokens []string, nics []link.NIC, warn func(error)) (*Stack, error) {
	cfg, err := ParseConfig(tokens)
	if err != nil {
		for _, n := range nics {
			n.Close()
		}
		return nil, err
	}
	cfg.Warn = warn
	s, err := Start(cfg, nics)
	if err != nil {
		return nil, err
	}
	SetDefault(s)
	return s, nil
}
