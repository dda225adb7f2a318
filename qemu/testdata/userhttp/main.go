// Command userhttp is an ordinary static Linux program with no Warren
// import, run by Warren as a ring-3 process: an HTTP server whose pages
// show that it is a process of its own (its pid), built by the Go
// toolchain (runtime.Version), with the environment from the boot command
// line (WARREN_TEST_VAR).
//
//	GET /      a short page naming the pid and the Go version
//	POST /echo the request body, back
//	GET /env   the value of WARREN_TEST_VAR
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
)

func main() {
	addr := flag.String("addr", ":80", "address to listen on")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("userhttp: ")

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "userhttp: pid %d, %s %s/%s\n", os.Getpid(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, os.Getenv("WARREN_TEST_VAR"))
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("userhttp: listening on %s\n", *addr)
	log.Fatal(http.Serve(ln, mux))
}
