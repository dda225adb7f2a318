// Command plainhttp is an ordinary Go service with no Warren import: the
// standard library's net/http and net, nothing else. The benchmark runs
// this one source three ways (warren bench): built by warren build, the
// program in the image; built by plain go build and run by Warren as a
// ring-3 process (warren build -user); and on the Linux guest.
//
//	GET /     hello\n
//	GET /1k   1 KiB of text
//	GET /64k  64 KiB of text
//	TCP :7007 echo: what comes in goes back, until the client closes
//
// The pages are made once at start, so a request costs the HTTP server
// and the network stack and nothing else. The echo server copies through
// a buffer with Read and Write: io.Copy between two TCP connections would
// splice(2), copy-free on Linux but copied through a pipe on Warren, and
// the two sides would not do the same work.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
)

var (
	httpAddr = flag.String("http", ":8080", "HTTP address")
	echoAddr = flag.String("echo", ":7007", "TCP echo address")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("plainhttp: ")
	hl, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		log.Fatal(err)
	}
	el, err := net.Listen("tcp", *echoAddr)
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(serveEcho(el)) }()
	fmt.Printf("plainhttp: HTTP on %s, echo on %s\n", *httpAddr, *echoAddr)
	log.Fatal(http.Serve(hl, handler()))
}

// handler serves the three pages.
func handler() http.Handler {
	mux := http.NewServeMux()
	for path, body := range map[string][]byte{
		"/":    []byte("hello\n"),
		"/1k":  text(1 << 10),
		"/64k": text(64 << 10),
	} {
		n := strconv.Itoa(len(body))
		pattern := "GET " + path // exact: no trailing slash
		if path == "/" {
			pattern += "{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Content-Length", n)
			w.Write(body)
		})
	}
	return mux
}

// text is n bytes of printable lines.
func text(n int) []byte {
	const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
	b := make([]byte, n)
	for i := range b {
		b[i] = line[i%len(line)]
	}
	return b
}

// serveEcho echoes on each connection ln accepts.
func serveEcho(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go echo(c)
	}
}

// echo writes back what it reads, through its own buffer (see the
// package comment), until the client closes.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // io.EOF: the client is done
			return
		}
	}
}
