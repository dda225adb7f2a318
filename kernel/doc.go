// Package kernel is Warren's kernel: it boots the machine, then serves the
// Linux system calls of the Go program in the image (ring 3, pid 1) and of
// the ring-3 processes it loads. Kernel code runs in traps, with
// interrupts off and the big kernel lock held, under the rules of
// docs/kernel-context.md; what needs the heap (drivers, the network, the
// socket layer, the loader, the crash report) runs as goroutines of the
// program instead.
//
// Where each mechanism is (files of this package unless a path is given):
//
//	boot, boot CPU        boot/ (32-bit code) → boot64_amd64.s start64 → kmain.go
//	boot, other CPUs      smp.go, kernel/trampoline → boot64_amd64.s apStart64
//	GDT, TSS, IDT         desc.go, desc_unsafe.go, kernel/cpu
//	CPU features, XSAVE   cpufeat.go
//	image alias           alias.go (the entry code runs there on a process's tables)
//	trap entry and exit   vectors_amd64.s (generated) → trapentry_amd64.s, entry_amd64.h
//	trap dispatch         trap.go: interrupts, exceptions, the way back to user mode
//	SYSCALL entry         syscallstubs_amd64.s (generated) → syscallentry_amd64.s
//	syscall dispatch      syscall.go (doSyscall), systab.go (the table), sys_*.go
//	page faults           trap.go → pagefault.go → mm/vm/fault.go
//	kernel-mode faults    crash.go (capture), crash_unsafe.go → kernel/crash (report)
//	threads               thread.go, sys_thread.go (clone, futex, sleeps)
//	scheduler             sched.go, klock.go (big kernel lock), percpu.go
//	context switch        swtch_amd64.s, swtch.go
//	new thread's start    threadstart_amd64.s, threadstart.go
//	kernel TLS, stub g    tls.go, tls_amd64.s
//	clock and timers      clock.go, lapic.go, rtc.go (kernel/cmos), kernel/tsc, sys_time.go
//	vDSO                  vdso.go, vdso_amd64.s, kernel/vdso
//	device interrupts     irq.go, ioapic.go, board.go, platform.go, kernel/acpi
//	driver hardware calls sys_hw.go, kernel/hwabi
//	the loaded image      image.go
//	physical memory       mem.go, directmap_unsafe.go, mm/frames, mm/pagetable
//	mmap and friends      sys_mem.go → mm/vm
//	user memory           usermem.go, usermem_unsafe.go, window.go → mm/usercopy
//	processes             process.go, program.go (the Go program), exec.go,
//	                      execstage.go (the program's children), vfork.go,
//	                      wait.go, limits.go, sys_proc.go (loader: proc/)
//	signals               sys_signal.go, kernel/signal
//	descriptors, files    kernel/files (the rules, host-tested) ← fileenv.go, fd.go,
//	                      sys_fd.go; sys_file.go, initrd.go, tmpfs.go (fs/tmpfs),
//	                      etc.go; sys_sendfile.go
//	paths, working dir    kernel/files/tree.go, kernel/files/open.go,
//	                      kernel/files/cwd.go ← sys_path.go, cwd.go
//	pipes, poll, epoll    kernel/files ← pipe.go, fifo.go, poll.go, sys_poll.go
//	sockets               socket.go (create, names), sock.go (forwarding to the
//	                      socket layer, sockets/), rights.go, kernel/sockabi
//	counters              stats.go, kernel/statsabi
//	console, power        printk.go, power.go
//	command line          cmdline.go
//
// A frame from the NIC to a socket: the driver's rings
// (drivers/virtio/virtqueue.go under drivers/virtio/net, or
// drivers/e1000/ring.go) → a Frame of drivers/ether → net/nics → net/link
// (netstack's link endpoint) → net (netstack) → sockets (the socket
// calls) → sock.go (the kernel's side of a forwarded call).
package kernel
