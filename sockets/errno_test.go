package sockets

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// tcpipErrors is every netstack error type.
var tcpipErrors = []tcpip.Error{
	&tcpip.ErrAborted{}, &tcpip.ErrAddressFamilyNotSupported{}, &tcpip.ErrAlreadyBound{},
	&tcpip.ErrAlreadyConnected{}, &tcpip.ErrAlreadyConnecting{}, &tcpip.ErrBadAddress{},
	&tcpip.ErrBadBuffer{}, &tcpip.ErrBadLocalAddress{}, &tcpip.ErrBroadcastDisabled{},
	&tcpip.ErrClosedForReceive{}, &tcpip.ErrClosedForSend{}, &tcpip.ErrConnectStarted{},
	&tcpip.ErrConnectionAborted{}, &tcpip.ErrConnectionRefused{}, &tcpip.ErrConnectionReset{},
	&tcpip.ErrDestinationRequired{}, &tcpip.ErrDuplicateAddress{}, &tcpip.ErrDuplicateNICID{},
	&tcpip.ErrInvalidNICID{}, &tcpip.ErrInvalidEndpointState{}, &tcpip.ErrInvalidOptionValue{},
	&tcpip.ErrInvalidPortRange{}, &tcpip.ErrMalformedHeader{}, &tcpip.ErrMessageTooLong{},
	&tcpip.ErrNetworkUnreachable{}, &tcpip.ErrNoBufferSpace{}, &tcpip.ErrNoPortAvailable{},
	&tcpip.ErrHostUnreachable{}, &tcpip.ErrHostDown{}, &tcpip.ErrNoNet{}, &tcpip.ErrNoSuchFile{},
	&tcpip.ErrNotConnected{}, &tcpip.ErrNotPermitted{}, &tcpip.ErrNotSupported{},
	&tcpip.ErrPortInUse{}, &tcpip.ErrQueueSizeNotSupported{}, &tcpip.ErrTimeout{},
	&tcpip.ErrUnknownDevice{}, &tcpip.ErrUnknownNICID{}, &tcpip.ErrUnknownProtocol{},
	&tcpip.ErrUnknownProtocolOption{}, &tcpip.ErrWouldBlock{}, &tcpip.ErrMissingRequiredFields{},
	&tcpip.ErrMulticastInputCannotBeOutput{}, &tcpip.ErrEndpointBusy{},
}

func TestErrnoEveryError(t *testing.T) {
	for _, err := range tcpipErrors {
		e, known := translate(err)
		if !known {
			t.Errorf("%T has no errno", err)
		}
		if e == 0 {
			t.Errorf("%T maps to no error", err)
		}
	}
	if e, _ := translate(nil); e != 0 {
		t.Errorf("nil maps to %v", e)
	}
	for err, want := range map[tcpip.Error]unix.Errno{
		&tcpip.ErrWouldBlock{}:        unix.EAGAIN,
		&tcpip.ErrConnectStarted{}:    unix.EINPROGRESS,
		&tcpip.ErrConnectionRefused{}: unix.ECONNREFUSED,
		&tcpip.ErrPortInUse{}:         unix.EADDRINUSE,
		&tcpip.ErrClosedForSend{}:     unix.EPIPE,
		&tcpip.ErrNotConnected{}:      unix.ENOTCONN,
	} {
		if got := errnoOf(err); got != want {
			t.Errorf("%T: %v, want %v", err, got, want)
		}
	}
}

// TestErrnoListComplete checks tcpipErrors against the Err types that
// netstack's errors.go declares, so a new one fails here first.
func TestErrnoListComplete(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "gvisor.dev/gvisor/pkg/tcpip").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(strings.TrimSpace(string(out)), "errors.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, err := range tcpipErrors {
		listed[reflect.TypeOf(err).Elem().Name()] = true
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			name := s.(*ast.TypeSpec).Name.Name
			if !strings.HasPrefix(name, "Err") || name == "Error" {
				continue
			}
			declared++
			if !listed[name] {
				t.Errorf("tcpip.%s is missing from tcpipErrors and maybe from translate", name)
			}
		}
	}
	if declared != len(listed) {
		t.Errorf("errors.go declares %d error types, the list has %d", declared, len(listed))
	}
}
