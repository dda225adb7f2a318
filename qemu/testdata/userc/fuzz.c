/*
 * fuzz: system calls with hostile arguments, from a ring-3 process.
 *
 *	gcc -static -O2 -pthread -o fuzz fuzz.c
 *
 *	fuzz CALLS SEED
 *
 * makes CALLS system calls chosen at random (from a seeded generator, so
 * a failure can be replayed) with arguments drawn from values that break
 * kernels: kernel-half, non-canonical, unmapped, misaligned and page-edge
 * pointers, huge and negative lengths, small integers, flags with every
 * bit set. Calls that would end or disarm the fuzzer itself (exit, fork,
 * execve, sigreturn, mapping changes, signal handlers, the FS base) are
 * left out; blocking calls are ended by a helper thread that signals the
 * fuzzer every few milliseconds with a handler installed without
 * SA_RESTART. Standard output and error go to /dev/null while it runs.
 * The kernel must answer every call with a result or an errno, and stay
 * up: prints "fuzz ok: CALLS calls, N errors" and exits 0.
 *
 * Do not run it on a Linux host as root: with these arguments some calls
 * succeed (settimeofday with a zeroed page, for one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t state;

static uint64_t next(void)
{
	/* xorshift64*: small, seedable, good enough to pick arguments. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

static unsigned char *page;	/* a mapped page, for pointers near its edges */

static uint64_t arg(void)
{
	switch (next() % 16) {
	case 0:
		return 0;
	case 1:
		return next() % 8;
	case 2:
		return 0xffffff8000101000ULL + (next() % 4096);	/* kernel image alias */
	case 3:
		return 0xffffc00000010000ULL;	/* kernel stacks */
	case 4:
		return 0x0000800000000000ULL + (next() % 4096);	/* non-canonical */
	case 5:
		return 0xffff800000000000ULL;	/* the kernel's window */
	case 6:
		return (uint64_t)page + 4096 - (next() % 16);	/* runs off the page */
	case 7:
		return (uint64_t)page + 1 + (next() % 7);	/* misaligned */
	case 8:
		return 1ULL << 40;	/* huge length */
	case 9:
		return (uint64_t)-1 - (next() % 4);
	case 10:
		return 0x101000;	/* the kernel's image address, unmapped here */
	case 11:
		return (uint64_t)page;
	case 12:
		return next();
	case 13:
		return next() % 1024;
	case 14:
		return 1ULL << 31;
	default:
		return (uint64_t)-(int64_t)(next() % 4096);	/* negative errno-like */
	}
}

/* excluded lists the calls that would end or disarm the fuzzer itself:
 * it must stay alive to report. */
static int excluded(long nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn:
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3:
	case SYS_execve: case SYS_execveat:
	case SYS_mmap: case SYS_munmap: case SYS_mremap: case SYS_mprotect:
	case SYS_madvise: case SYS_brk: case SYS_shmat: case SYS_shmdt:
	case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_sigaltstack:
	case SYS_arch_prctl: case SYS_prctl: case SYS_seccomp:
	case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
	case SYS_close: case SYS_close_range: case SYS_dup2: case SYS_dup3:
	case SYS_setrlimit: case SYS_prlimit64:
	case SYS_set_tid_address: case SYS_set_robust_list: case SYS_rseq:
	case SYS_reboot: case SYS_kexec_load: case SYS_kexec_file_load:
	case 500 ... 600:	/* Warren's own calls: refused to processes anyway */
		return 1;
	}
	return 0;
}

/* reportFD is the descriptor the result is printed on, below the
 * default RLIMIT_NOFILE. */
enum { reportFD = 250 };

static atomic_int done;
static pthread_t fuzzer;

static void on_alarm(int sig)
{
	(void)sig;
}

static void *interrupter(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 5 * 1000 * 1000};
	while (!atomic_load(&done)) {
		pthread_kill(fuzzer, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: fuzz CALLS SEED\n");
		return 2;
	}
	long calls = atol(argv[1]);
	state = strtoull(argv[2], NULL, 0) | 1;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: blocking calls end with EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* SIGPIPE from a write to a broken pipe or socket is expected. */
	signal(SIGPIPE, SIG_IGN);
	/* Keep the report's way out where random descriptors rarely land, and
	 * the console free of the garbage random writes would print. */
	int out = fcntl(1, F_DUPFD, reportFD);
	int null = open("/dev/null", O_RDWR);
	if (out != reportFD || null < 0 || dup2(null, 1) != 1 || dup2(null, 2) != 2)
		return 1;
	fuzzer = pthread_self();
	pthread_t t;
	if (pthread_create(&t, NULL, interrupter, NULL) != 0)
		return 1;

	long errors = 0;
	for (long i = 0; i < calls; i++) {
		long nr = next() % 335;
		if (excluded(nr))
			continue;
		uint64_t a[6];
		for (int k = 0; k < 6; k++)
			a[k] = arg();
		if (a[0] == reportFD)
			continue;
		if (syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) == -1)
			errors++;
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	dprintf(out, "fuzz ok: %ld calls, %ld errors\n", calls, errors);
	return 0;
}
