package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Files the standard library reads whose contents come from the program's
// side of the kernel (files.Served): /etc/resolv.conf, /etc/hosts,
// /etc/nsswitch.conf, /etc/services, /proc/sys/net/core/somaxconn. They
// are set with SysSetFile and served read-only, ahead of the initrd,
// beside the kernel's own /etc/passwd and /etc/group.

var etcFiles files.Served

// sysSetFile sets (or replaces) a served file.
//
// Context: kernel (no allocation, no pointer stores).
func sysSetFile(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, files.SetServed(caller(), &etcFiles, f.RDI, f.RSI, f.RDX, f.R10)
}

// identityFiles name root, the user every process starts as (uid and gid 0), for
// os/user and programs that look themselves up. Root's home is /tmp, the
// tree's one writable directory, where warren test points $HOME too.
var identityFiles = [...]struct{ path, data string }{
	{files.EtcPasswd, "root:x:0:0:root:/tmp:/bin/sh\n"},
	{files.EtcGroup, "root:x:0:\n"},
}

// serveIdentityFiles fills the first slots at boot, before the program can
// set any file.
func serveIdentityFiles() {
	for i, f := range identityFiles {
		etcFiles.Put(i, f.path, f.data)
	}
}
