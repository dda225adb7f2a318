// Package statpage serves a machine's counters as a plain-text page over
// HTTP, and reads such pages back. A page is one "NAME VALUE" line per
// counter, VALUE an unsigned decimal, and lines starting with "#" of
// comment. Names are dotted paths without white space
// ("kernel.Syscalls", "netstack.TCP.Retransmits"); a counter a page does
// not list is zero.
//
// Warren's system serves one with the warren.stats=PORT boot option
// (kernel, network stack and NIC driver counters), the benchmark's Linux
// guest another from /proc (tools/bench/linuxinit), and the benchmark
// reads both before and after a load.
//
// The server is a few lines of HTTP/1.1 rather than net/http, which
// would grow every image by megabytes: it answers any GET or HEAD with
// the page and closes the connection.
package statpage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Page is a page being written.
type Page struct {
	b bytes.Buffer
}

// Add writes one counter. White space in the name becomes "_", so that
// every line splits into two fields.
func (p *Page) Add(name string, v uint64) {
	p.b.WriteString(cleanName(name))
	p.b.WriteByte(' ')
	p.b.WriteString(strconv.FormatUint(v, 10))
	p.b.WriteByte('\n')
}

// Comment writes a "#" line; line ends in it become spaces.
func (p *Page) Comment(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	p.b.WriteString("# ")
	p.b.WriteString(strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
	p.b.WriteByte('\n')
}

// Bytes is the page so far.
func (p *Page) Bytes() []byte { return p.b.Bytes() }

func cleanName(name string) string {
	if name == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, name)
}

// Parse reads a page: each counter by name. A line that is neither a
// comment, blank, nor NAME VALUE, and a name given twice, are errors.
func Parse(text string) (map[string]uint64, error) {
	out := map[string]uint64{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("statpage: line %d: %q is not NAME VALUE", i+1, line)
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("statpage: line %d: %q is not an unsigned count", i+1, f[1])
		}
		if _, dup := out[f[0]]; dup {
			return nil, fmt.Errorf("statpage: line %d: %s given twice", i+1, f[0])
		}
		out[f[0]] = v
	}
	return out, nil
}

// Limits of one connection: how long the client has to send its request
// and read the page, and how long the request head may be.
const (
	connTimeout = 10 * time.Second
	maxHead     = 8 << 10
)

// Serve answers each connection ln accepts with the page fill writes at
// that moment, until ln is closed; it then returns the accept error.
func Serve(ln net.Listener, fill func(*Page)) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go serveConn(c, fill)
	}
}

// serveConn reads one request head and answers it.
func serveConn(c net.Conn, fill func(*Page)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(connTimeout))
	method, err := readHead(bufio.NewReaderSize(c, 1024))
	if err != nil {
		return
	}
	var status string
	var body []byte
	switch method {
	case "GET", "HEAD":
		var p Page
		fill(&p)
		status, body = "200 OK", p.Bytes()
	default:
		status, body = "405 Method Not Allowed", []byte("GET only\n")
	}
	head := "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	if method == "HEAD" {
		body = nil
	}
	c.Write(append([]byte(head), body...))
}

// readHead reads an HTTP request head, up to the empty line, and returns
// its method.
func readHead(r *bufio.Reader) (string, error) {
	var method string
	n := 0
	for {
		line, err := r.ReadString('\n')
		n += len(line)
		if err != nil {
			return "", err
		}
		if n > maxHead {
			return "", errors.New("request head too long")
		}
		line = strings.TrimRight(line, "\r\n")
		if method == "" {
			m, _, ok := strings.Cut(line, " ")
			if !ok {
				return "", fmt.Errorf("bad request line %q", line)
			}
			method = m
			continue
		}
		if line == "" {
			return method, nil
		}
	}
}
