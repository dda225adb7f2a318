// Command netprog is an ordinary Go network program with no Warren
// import: it serves HTTP on :80, fetches from itself, exchanges UDP over
// loopback, lists the interfaces and resolves a name given with -resolve.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	resolve := flag.String("resolve", "", "a name to look up through DNS")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "netprog says hello") })
	ln, err := net.Listen("tcp", ":80")
	check("listen", err)
	go http.Serve(ln, nil)

	resp, err := http.Get("http://localhost/")
	check("get", err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("get: %d %q\n", resp.StatusCode, body)

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	check("udp listen", err)
	c, err := net.Dial("udp", pc.LocalAddr().String())
	check("udp dial", err)
	c.Write([]byte("datagram"))
	buf := make([]byte, 64)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := pc.ReadFrom(buf)
	check("udp read", err)
	fmt.Printf("udp: %q from %v\n", buf[:n], from.(*net.UDPAddr).IP)

	ifs, err := net.Interfaces()
	check("interfaces", err)
	for _, ifc := range ifs {
		addrs, _ := ifc.Addrs()
		fmt.Printf("interface %s %v %v\n", ifc.Name, ifc.Flags, addrs)
	}
	if *resolve != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		addrs, err := net.DefaultResolver.LookupHost(ctx, *resolve)
		cancel()
		check("resolve", err)
		fmt.Printf("resolve %s: %v\n", *resolve, addrs)
	}
	fmt.Println("netprog: serving")
	select {}
}

func check(what string, err error) {
	if err != nil {
		fmt.Printf("netprog: %s: %v\n", what, err)
		os.Exit(1)
	}
}
