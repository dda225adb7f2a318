package sockets

import (
	"time"

	"warren.dev/kernel/files"
	wnet "warren.dev/net"
)

// The files the standard library reads for names, ports and limits.
const (
	hostsFile = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
`
	nsswitchFile = "hosts: files dns\n"
	servicesFile = `ftp		21/tcp
ssh		22/tcp
telnet		23/tcp
smtp		25/tcp
domain		53/tcp
domain		53/udp
bootps		67/udp
bootpc		68/udp
tftp		69/udp
http		80/tcp
ntp		123/udp
https		443/tcp
https		443/udp
submission	587/tcp
imaps		993/tcp
`
	// somaxconn caps listen backlogs, as /proc/sys/net/core/somaxconn.
	somaxconn = 4096
)

// publishFiles gives the kernel the files and keeps /etc/resolv.conf
// current as DHCP and router advertisements change the DNS servers.
func publishFiles(k Kernel, st *wnet.Stack, done <-chan struct{}) {
	k.SetFile(files.EtcHosts, []byte(hostsFile))
	k.SetFile(files.EtcNSSwitch, []byte(nsswitchFile))
	k.SetFile(files.EtcServices, []byte(servicesFile))
	k.SetFile("/proc/sys/net/core/somaxconn", []byte("4096\n"))
	resolv := st.Live().ResolvConf()
	k.SetFile(files.EtcResolv, []byte(resolv))
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-done:
				return
			}
			if r := st.Live().ResolvConf(); r != resolv {
				resolv = r
				k.SetFile(files.EtcResolv, []byte(r))
			}
		}
	}()
}
