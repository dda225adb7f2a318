/*
 * isolate: checks, from inside a ring-3 process, that the kernel keeps
 * itself out of reach. It is an ordinary static Linux program:
 *
 *	gcc -static -O2 -pthread -o isolate isolate.c
 *
 * Modes (argv[1]):
 *
 *	read-kernel ADDR	load a byte from ADDR: must die of SIGSEGV
 *	write-kernel ADDR	store a byte to ADDR: must die of SIGSEGV
 *	syscall-kernel ADDR	hand ADDR to system calls as a buffer: each
 *				must fail with EFAULT; exit 0 if all did
 *	privileged INSN		execute a privileged instruction (cli, hlt,
 *				in, out, rdmsr, wrmsr, mov-cr3, lgdt): must
 *				die of SIGSEGV
 *	handler [ADDR]		catch the SIGSEGV of reading ADDR in a
 *				SA_SIGINFO handler on the alternate signal
 *				stack: exits 42 if the handler ran there
 *	madvise			MADV_DONTNEED over its own code (it runs
 *				on, as on Linux), at an unaligned address
 *				(EINVAL) and over kernel addresses (ENOMEM)
 *	bad-fs			FS base outside user memory (arch_prctl,
 *				clone): EPERM
 *	bad-return sigreturn|handler	return to user mode at a
 *				non-canonical address: must die of SIGSEGV
 *	threads			pthreads, a mutex, a condition variable,
 *				nanosleep and thread-local storage: prints
 *				"threads ok" and exits 0
 *
 * A mode that should have died prints a line starting with "FAIL:" and
 * exits 1; bad usage exits 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* A kernel address that no process may touch: the kernel image's alias in
 * the top of the address space. */
#define DEFAULT_KERNEL_ADDR 0xffffff8000101000ULL

static void usage(void) __attribute__((noreturn));

static void usage(void)
{
	fprintf(stderr,
		"usage: isolate read-kernel ADDR | write-kernel ADDR | syscall-kernel ADDR |\n"
		"       privileged cli|hlt|in|out|rdmsr|wrmsr|mov-cr3|lgdt | handler [ADDR] | threads\n");
	exit(2);
}

static uintptr_t parse_addr(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > UINTPTR_MAX) {
		fprintf(stderr, "isolate: bad address %s\n", s);
		exit(2);
	}
	return (uintptr_t)v;
}

/* say prints one line on standard output at once: the console must show
 * it even if the next instruction kills the process. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static int read_kernel(uintptr_t addr)
{
	say("isolate: reading %#lx\n", (unsigned long)addr);
	volatile const unsigned char *p = (volatile const unsigned char *)addr;
	unsigned char v = *p;
	say("FAIL: read %#x from %#lx in user mode\n", v, (unsigned long)addr);
	return 1;
}

static int write_kernel(uintptr_t addr)
{
	say("isolate: writing %#lx\n", (unsigned long)addr);
	volatile unsigned char *p = (volatile unsigned char *)addr;
	*p = 0x5a;
	say("FAIL: wrote to %#lx in user mode\n", (unsigned long)addr);
	return 1;
}

/* efault reports whether a call returned -1 with errno EFAULT, and says
 * so on a line of its own. */
static int efault(const char *call, long r, int err)
{
	if (r == -1 && err == EFAULT) {
		say("EFAULT ok: %s\n", call);
		return 1;
	}
	say("FAIL: %s returned %ld errno %d (%s)\n", call, r, r == -1 ? err : 0, r == -1 ? strerror(err) : "none");
	return 0;
}

static int syscall_kernel(uintptr_t addr)
{
	void *p = (void *)addr;
	int ok = 1;
	long r;

	say("isolate: system calls on %#lx\n", (unsigned long)addr);

	/* The kernel reads from the buffer. */
	errno = 0;
	r = write(1, p, 16);
	ok &= efault("write", r, errno);

	/* The kernel writes into the buffer: the raw system call, not the
	 * vDSO, which would fault in user mode instead. */
	errno = 0;
	r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p);
	ok &= efault("clock_gettime", r, errno);

	errno = 0;
	r = uname((struct utsname *)p);
	ok &= efault("uname", r, errno);

	/* The kernel copies data it holds into the buffer. */
	int fds[2];
	if (pipe(fds) < 0) {
		say("FAIL: pipe: %s\n", strerror(errno));
		ok = 0;
	} else {
		static const char data[16] = "0123456789abcdef";
		if (write(fds[1], data, sizeof data) != (ssize_t)sizeof data) {
			say("FAIL: writing the pipe: %s\n", strerror(errno));
			ok = 0;
		} else {
			errno = 0;
			r = read(fds[0], p, sizeof data);
			ok &= efault("read", r, errno);
		}
		close(fds[0]);
		close(fds[1]);
	}

	/* The kernel reads a string from it. */
	errno = 0;
	r = open((const char *)p, O_RDONLY);
	ok &= efault("open", r, errno);
	if (r >= 0)
		close((int)r);

	say(ok ? "isolate: all EFAULT\n" : "FAIL: not every call failed with EFAULT\n");
	return ok ? 0 : 1;
}

static int privileged(const char *insn)
{
	say("isolate: executing %s\n", insn);
	if (strcmp(insn, "cli") == 0) {
		__asm__ volatile("cli" ::: "memory");
	} else if (strcmp(insn, "hlt") == 0) {
		__asm__ volatile("hlt" ::: "memory");
	} else if (strcmp(insn, "in") == 0) {
		unsigned char v;
		__asm__ volatile("inb $0x60, %0" : "=a"(v)::"memory");
		say("FAIL: in read %#x\n", v);
		return 1;
	} else if (strcmp(insn, "out") == 0) {
		__asm__ volatile("outb %0, $0x80" ::"a"((unsigned char)0)
				 : "memory");
	} else if (strcmp(insn, "rdmsr") == 0) {
		uint32_t lo, hi;
		/* IA32_APIC_BASE */
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1bU) : "memory");
		say("FAIL: rdmsr read %#x:%#x\n", hi, lo);
		return 1;
	} else if (strcmp(insn, "wrmsr") == 0) {
		/* IA32_TSC_AUX: the least harmful MSR to write should the
		 * write go through. */
		__asm__ volatile("wrmsr" ::"c"(0xc0000103U), "a"(0U), "d"(0U)
				 : "memory");
	} else if (strcmp(insn, "mov-cr3") == 0) {
		uintptr_t cr3;
		__asm__ volatile("mov %%cr3, %0" : "=r"(cr3)::"memory");
		say("FAIL: read cr3 %#lx\n", (unsigned long)cr3);
		return 1;
	} else if (strcmp(insn, "lgdt") == 0) {
		struct __attribute__((packed)) {
			uint16_t limit;
			uint64_t base;
		} gdtr = {0, 0};
		__asm__ volatile("lgdt %0" ::"m"(gdtr) : "memory");
	} else {
		fprintf(stderr, "isolate: unknown instruction %s\n", insn);
		usage();
	}
	say("FAIL: %s executed in user mode\n", insn);
	return 1;
}

/* The alternate signal stack, and the address the handler expects. */
enum { ALTSTACK_SIZE = 64 * 1024 };
static unsigned char altstack[ALTSTACK_SIZE] __attribute__((aligned(16)));
static volatile uintptr_t fault_addr;

/* put_hex formats v as 0x%016lx into buf (19 bytes) and returns the
 * position after it: printf is not async-signal-safe. */
static char *put_hex(char *buf, uintptr_t v)
{
	static const char digits[] = "0123456789abcdef";
	*buf++ = '0';
	*buf++ = 'x';
	for (int shift = 60; shift >= 0; shift -= 4)
		*buf++ = digits[(v >> shift) & 0xf];
	return buf;
}

static char *put_str(char *buf, const char *s)
{
	while (*s != '\0')
		*buf++ = *s++;
	return buf;
}

static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	char line[160];
	char *p = line;
	uintptr_t local = (uintptr_t)&line;
	int on_alt = local >= (uintptr_t)altstack && local < (uintptr_t)altstack + sizeof altstack;
	int addr_ok = (uintptr_t)si->si_addr == fault_addr;

	p = put_str(p, "caught SIGSEGV at ");
	p = put_hex(p, (uintptr_t)si->si_addr);
	p = put_str(p, on_alt ? " on the alternate stack" : " NOT on the alternate stack");
	if (sig != SIGSEGV || si->si_signo != SIGSEGV)
		p = put_str(p, "; FAIL: wrong signal number");
	if (!addr_ok)
		p = put_str(p, "; FAIL: si_addr is not the faulting address");
	*p++ = '\n';
	ssize_t unused = write(1, line, (size_t)(p - line));
	(void)unused;
	if (sig != SIGSEGV || si->si_signo != SIGSEGV || !on_alt)
		_exit(1);
	_exit(addr_ok ? 42 : 43);
}

static int handler(uintptr_t addr)
{
	stack_t ss;
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	if (sigaltstack(&ss, NULL) < 0) {
		say("FAIL: sigaltstack: %s\n", strerror(errno));
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) < 0) {
		say("FAIL: sigaction: %s\n", strerror(errno));
		return 1;
	}
	fault_addr = addr;
	say("isolate: reading %#lx with a SIGSEGV handler\n", (unsigned long)addr);
	volatile const unsigned char *p = (volatile const unsigned char *)addr;
	unsigned char v = *p;
	say("FAIL: read %#x from %#lx in user mode\n", v, (unsigned long)addr);
	return 1;
}

/* threads */

enum { NTHREADS = 8, INCREMENTS = 100000 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int started; /* threads that have begun, under mu */
static __thread int tls_id = -1;

struct worker {
	int id;
	pid_t pid, tid;
	int tls_ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	tls_id = w->id;
	w->pid = getpid();
	w->tid = (pid_t)syscall(SYS_gettid);

	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mu);

	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	w->tls_ok = tls_id == w->id; /* no other thread's value leaked in */
	return NULL;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int threads(void)
{
	int ok = 1;
	pid_t pid = getpid();
	pid_t tid = (pid_t)syscall(SYS_gettid);
	tls_id = NTHREADS;
	if (tid != pid) {
		say("FAIL: the main thread's tid %d is not the pid %d\n", (int)tid, (int)pid);
		ok = 0;
	}

	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].id = i;
		int err = pthread_create(&th[i], NULL, work, &w[i]);
		if (err != 0) {
			say("FAIL: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}

	/* The condition variable: wait until every thread has begun. */
	pthread_mutex_lock(&mu);
	while (started < NTHREADS)
		pthread_cond_wait(&cond, &mu);
	pthread_mutex_unlock(&mu);

	for (int i = 0; i < NTHREADS; i++) {
		int err = pthread_join(th[i], NULL);
		if (err != 0) {
			say("FAIL: pthread_join: %s\n", strerror(err));
			return 1;
		}
	}
	if (counter != (long)NTHREADS * INCREMENTS) {
		say("FAIL: counter %ld, want %ld\n", counter, (long)NTHREADS * INCREMENTS);
		ok = 0;
	}
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].pid != pid) {
			say("FAIL: thread %d has pid %d, not %d\n", i, (int)w[i].pid, (int)pid);
			ok = 0;
		}
		if (w[i].tid == pid || w[i].tid <= 0) {
			say("FAIL: thread %d has tid %d (pid %d)\n", i, (int)w[i].tid, (int)pid);
			ok = 0;
		}
		for (int j = 0; j < i; j++) {
			if (w[i].tid == w[j].tid) {
				say("FAIL: threads %d and %d share tid %d\n", j, i, (int)w[i].tid);
				ok = 0;
			}
		}
		if (!w[i].tls_ok) {
			say("FAIL: thread %d's thread-local variable changed under it\n", i);
			ok = 0;
		}
	}
	if (tls_id != NTHREADS) {
		say("FAIL: the main thread's thread-local variable is %d\n", tls_id);
		ok = 0;
	}

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct timespec req = {0, 10 * 1000 * 1000}, rem;
	while (nanosleep(&req, &rem) < 0 && errno == EINTR)
		req = rem;
	double slept = since(&t0);
	if (slept < 0.010) {
		say("FAIL: nanosleep(10ms) took %.6fs\n", slept);
		ok = 0;
	}

	if (!ok)
		return 1;
	say("threads ok: counter %ld, %d threads, slept %.1fms\n", counter, NTHREADS, slept * 1e3);
	return 0;
}

/* A non-canonical address: a kernel that returns to it with IRETQ
 * faults in kernel mode on real hardware. */
#define NONCANONICAL 0x0000800000000000UL

/* bad_fs asks for an FS base outside user memory, directly and through
 * clone: EPERM, as on Linux. */
static int bad_fs(void)
{
	errno = 0;
	if (syscall(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, NONCANONICAL) != -1 || errno != EPERM)
		say("FAIL: arch_prctl(ARCH_SET_FS, non-canonical): errno %d, want EPERM\n", errno);
	errno = 0;
	if (syscall(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, DEFAULT_KERNEL_ADDR) != -1 || errno != EPERM)
		say("FAIL: arch_prctl(ARCH_SET_FS, kernel address): errno %d, want EPERM\n", errno);
	errno = 0;
	long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SETTLS;
	if (syscall(SYS_clone, flags, (void *)(altstack + sizeof altstack), NULL, NULL, NONCANONICAL) != -1 || errno != EPERM)
		say("FAIL: clone with a non-canonical TLS: errno %d, want EPERM\n", errno);
	say("bad-fs ok\n");
	return 0;
}

/* on_usr1_bad_rip points the interrupted context at a non-canonical
 * address, for rt_sigreturn to return to. */
static void on_usr1_bad_rip(int sig, siginfo_t *si, void *uctx)
{
	(void)sig;
	(void)si;
	((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP] = NONCANONICAL;
}

/* bad_return makes the kernel return to user mode at a non-canonical
 * address, through sigreturn (how "sigreturn") or by running a handler
 * installed there ("handler"): the process must die of SIGSEGV and the
 * kernel live. */
static int bad_return(const char *how)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	if (strcmp(how, "sigreturn") == 0) {
		sa.sa_sigaction = on_usr1_bad_rip;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = (void (*)(int))NONCANONICAL;
	}
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		say("FAIL: sigaction: errno %d\n", errno);
	raise(SIGUSR1);
	say("FAIL: returned to a non-canonical address and lived\n");
	return 1;
}

/* madvise_all drops the pages of the program's own code, and advises
 * over kernel addresses: on Linux the code is a private file mapping read
 * back from the file, so the program runs on; the kernel's memory is no
 * mapping of the process at all. */
extern char __executable_start[], etext[];

static int madvise_all(void)
{
	uintptr_t start = (uintptr_t)__executable_start & ~4095UL;
	uintptr_t end = ((uintptr_t)etext + 4095) & ~4095UL;
	errno = 0;
	if (syscall(SYS_madvise, start, end - start, MADV_DONTNEED) != 0)
		say("FAIL: madvise over the code: errno %d\n", errno);
	if (syscall(SYS_madvise, start + 1, 4096UL, MADV_DONTNEED) != -1 || errno != EINVAL)
		say("FAIL: madvise at an unaligned address: errno %d, want EINVAL\n", errno);
	errno = 0;
	if (syscall(SYS_madvise, (uintptr_t)DEFAULT_KERNEL_ADDR, 1UL << 20, MADV_DONTNEED) != -1 || errno != ENOMEM)
		say("FAIL: madvise over kernel addresses: errno %d, want ENOMEM\n", errno);
	say("madvise ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *mode = argv[1];
	if (strcmp(mode, "read-kernel") == 0 && argc == 3)
		return read_kernel(parse_addr(argv[2]));
	if (strcmp(mode, "write-kernel") == 0 && argc == 3)
		return write_kernel(parse_addr(argv[2]));
	if (strcmp(mode, "syscall-kernel") == 0 && argc == 3)
		return syscall_kernel(parse_addr(argv[2]));
	if (strcmp(mode, "privileged") == 0 && argc == 3)
		return privileged(argv[2]);
	if (strcmp(mode, "handler") == 0 && (argc == 2 || argc == 3))
		return handler(argc == 3 ? parse_addr(argv[2]) : (uintptr_t)DEFAULT_KERNEL_ADDR);
	if (strcmp(mode, "threads") == 0 && argc == 2)
		return threads();
	if (strcmp(mode, "madvise") == 0 && argc == 2)
		return madvise_all();
	if (strcmp(mode, "bad-fs") == 0 && argc == 2)
		return bad_fs();
	if (strcmp(mode, "bad-return") == 0 && argc == 3)
		return bad_return(argv[2]);
	usage();
}
