//go:build warren

package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	wnet "warren.dev/net"
)

// tcpStates counts the stack's TCP endpoints by state, as "tcp states:
// ESTABLISHED=N SYN-RCVD=N ...": what a SYN flood holds (half-open
// connections, SYN-RCVD) and which connections are still being torn
// down, which no counter says. A listener on both IPv4 and IPv6 is
// registered for each and counted once.
func tcpStates(s *wnet.Stack) string {
	seen := map[stack.TransportEndpoint]bool{}
	count := map[string]int{}
	for _, ep := range s.Netstack().RegisteredEndpoints() {
		t, ok := ep.(*tcp.Endpoint)
		if !ok || seen[ep] {
			continue
		}
		seen[ep] = true
		count[tcp.EndpointState(t.State()).String()]++
	}
	var b strings.Builder
	b.WriteString("tcp states:")
	for _, k := range slices.Sorted(maps.Keys(count)) {
		fmt.Fprintf(&b, " %s=%d", k, count[k])
	}
	return b.String() + "\n"
}
