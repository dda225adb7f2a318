//go:build !warren

package main

import wnet "warren.dev/net"

// tcpStates has nothing to say outside an image: the host tests run the
// site on a stack of their own, and the benchmark's Linux build on the
// Linux kernel's, whose sockets it cannot list.
func tcpStates(*wnet.Stack) string { return "" }
