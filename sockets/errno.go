package sockets

import (
	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// errnoOf is the errno Linux returns where netstack returns err. Calls
// with a different answer in context (bind's EADDRINUSE, TCP connect's
// EADDRNOTAVAIL, end of file on a read) check for it before asking.
func errnoOf(err tcpip.Error) unix.Errno {
	e, _ := translate(err)
	return e
}

// translate maps every netstack error; known is false only for a type
// netstack added after this list (errno_test.go catches it).
func translate(err tcpip.Error) (e unix.Errno, known bool) {
	switch err.(type) {
	case nil:
		return 0, true
	case *tcpip.ErrAborted:
		return unix.EPIPE, true
	case *tcpip.ErrAddressFamilyNotSupported:
		return unix.EAFNOSUPPORT, true
	case *tcpip.ErrAlreadyBound:
		return unix.EINVAL, true
	case *tcpip.ErrAlreadyConnected:
		return unix.EISCONN, true
	case *tcpip.ErrAlreadyConnecting:
		return unix.EALREADY, true
	case *tcpip.ErrBadAddress:
		return unix.EFAULT, true
	case *tcpip.ErrBadBuffer:
		return unix.EFAULT, true
	case *tcpip.ErrBadLocalAddress:
		return unix.EADDRNOTAVAIL, true
	case *tcpip.ErrBroadcastDisabled:
		return unix.EACCES, true
	case *tcpip.ErrClosedForReceive:
		// Reads turn this into end of file first.
		return unix.ENOTCONN, true
	case *tcpip.ErrClosedForSend:
		return unix.EPIPE, true
	case *tcpip.ErrConnectStarted:
		return unix.EINPROGRESS, true
	case *tcpip.ErrConnectionAborted:
		return unix.ECONNABORTED, true
	case *tcpip.ErrConnectionRefused:
		return unix.ECONNREFUSED, true
	case *tcpip.ErrConnectionReset:
		return unix.ECONNRESET, true
	case *tcpip.ErrDestinationRequired:
		return unix.EDESTADDRREQ, true
	case *tcpip.ErrDuplicateAddress:
		return unix.EEXIST, true
	case *tcpip.ErrDuplicateNICID:
		return unix.EEXIST, true
	case *tcpip.ErrEndpointBusy:
		return unix.EBUSY, true
	case *tcpip.ErrHostDown:
		return unix.EHOSTDOWN, true
	case *tcpip.ErrHostUnreachable:
		return unix.EHOSTUNREACH, true
	case *tcpip.ErrInvalidEndpointState:
		return unix.EINVAL, true
	case *tcpip.ErrInvalidNICID:
		return unix.EINVAL, true
	case *tcpip.ErrInvalidOptionValue:
		return unix.EINVAL, true
	case *tcpip.ErrInvalidPortRange:
		return unix.EINVAL, true
	case *tcpip.ErrMalformedHeader:
		return unix.EINVAL, true
	case *tcpip.ErrMessageTooLong:
		return unix.EMSGSIZE, true
	case *tcpip.ErrMissingRequiredFields:
		return unix.EINVAL, true
	case *tcpip.ErrMulticastInputCannotBeOutput:
		return unix.EINVAL, true
	case *tcpip.ErrNetworkUnreachable:
		return unix.ENETUNREACH, true
	case *tcpip.ErrNoBufferSpace:
		return unix.ENOBUFS, true
	case *tcpip.ErrNoNet:
		return unix.ENONET, true
	case *tcpip.ErrNoPortAvailable:
		// UDP's answer to ephemeral port exhaustion.
		return unix.EAGAIN, true
	case *tcpip.ErrNoSuchFile:
		return unix.ENOENT, true
	case *tcpip.ErrNotConnected:
		return unix.ENOTCONN, true
	case *tcpip.ErrNotPermitted:
		return unix.EPERM, true
	case *tcpip.ErrNotSupported:
		return unix.EOPNOTSUPP, true
	case *tcpip.ErrPortInUse:
		return unix.EADDRINUSE, true
	case *tcpip.ErrQueueSizeNotSupported:
		return unix.ENOTTY, true
	case *tcpip.ErrTimeout:
		return unix.ETIMEDOUT, true
	case *tcpip.ErrUnknownDevice:
		return unix.ENODEV, true
	case *tcpip.ErrUnknownNICID:
		return unix.ENODEV, true
	case *tcpip.ErrUnknownProtocol:
		return unix.EINVAL, true
	case *tcpip.ErrUnknownProtocolOption:
		return unix.ENOPROTOOPT, true
	case *tcpip.ErrWouldBlock:
		return unix.EAGAIN, true
	}
	return unix.EIO, false
}
