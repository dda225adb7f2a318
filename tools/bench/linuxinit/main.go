//go:build linux

// Command linuxinit is /init of the benchmark's Linux guest: it mounts
// /proc, /sys and /dev, loads the NIC driver modules, configures eth0 from
// its flags and starts the servers (the Warren examples built as ordinary
// Linux programs), then waits for ever: as PID 1 it must not exit.
//
// The kernel passes it the words after "--" on the kernel command line:
//
//	-modules failover,net_failover,virtio_net -ip 10.0.3.2/24 -gw 10.0.3.1 -run /bin/httpd,/bin/echo -stats 9100
//
// With -stats it serves the kernel's counters from /proc on that port
// (procstats.go).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	modules := flag.String("modules", "", "comma-separated modules to load from /lib/modules, dependencies first")
	ifname := flag.String("if", "eth0", "the interface to configure")
	ip := flag.String("ip", "", "address of the interface, ADDR/PREFIX")
	gw := flag.String("gw", "", "default gateway")
	run := flag.String("run", "", "comma-separated programs to start")
	stats := flag.Int("stats", 0, "serve the kernel's counters from /proc on this TCP port (0: no)")
	flag.Parse()
	log.SetPrefix("linuxinit: ")
	log.SetFlags(0)
	start := time.Now()

	if err := mountAll(); err != nil {
		log.Print(err)
	}
	if err := loadModules("/lib/modules", split(*modules)); err != nil {
		fatal(err)
	}
	if err := configure(*ifname, *ip, *gw); err != nil {
		fatal(err)
	}
	log.Printf("%s configured %v after init started", *ifname, time.Since(start).Round(time.Millisecond))
	if *stats != 0 {
		go func() { log.Printf("counters on port %d: %v", *stats, serveStats(*stats)) }()
	}
	for _, prog := range split(*run) {
		cmd := exec.Command(prog)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			fatal(err)
		}
		go func() { log.Printf("%s exited: %v", prog, cmd.Wait()) }()
	}
	select {}
}

// configure brings lo and ifname up and gives ifname its address and
// default route.
func configure(ifname, ip, gw string) error {
	if err := waitForInterface(ifname, 10*time.Second); err != nil {
		return err
	}
	if err := linkUp("lo"); err != nil {
		return err
	}
	if err := linkUp(ifname); err != nil {
		return err
	}
	if ip != "" {
		p, err := netip.ParsePrefix(ip)
		if err != nil {
			return err
		}
		if err := addAddr(ifname, p); err != nil {
			return err
		}
	}
	if gw != "" {
		a, err := netip.ParseAddr(gw)
		if err != nil {
			return err
		}
		return addDefaultRoute(ifname, a)
	}
	return nil
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// fatal reports err and stops the machine (panic=-1 on the kernel command
// line and QEMU's -no-reboot turn the exit of PID 1 into QEMU's exit).
func fatal(err error) {
	fmt.Fprintf(os.Stderr, "linuxinit: %v\n", err)
	os.Exit(1)
}
