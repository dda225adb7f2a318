/*
 * clock: the clocks through glibc, which calls the vDSO the kernel
 * announces with AT_SYSINFO_EHDR. CLOCK_MONOTONIC must never go back and
 * stay between two readings by system call; gettimeofday and
 * CLOCK_REALTIME must agree with the system call; an unknown clock must
 * fail with EINVAL (the vDSO hands it to the kernel); and the vDSO's two
 * pages (the clock page before the ELF image) must stay unwritable, even
 * after mprotect and munmap try to change them.
 *
 *	gcc -static -O2 -o clock clock.c
 *
 * Prints "clock: ok" and exits 0, or prints what failed and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define READS 10000

static int failed;

static void fail(const char *what)
{
	printf("clock: FAIL %s\n", what);
	failed = 1;
}

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long sys_clock(clockid_t id)
{
	struct timespec t;
	if (syscall(SYS_clock_gettime, id, &t) != 0)
		fail("clock_gettime system call");
	return ns(t);
}

static sigjmp_buf jb;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

/* writable reports whether a byte store to p succeeds. */
static int writable(volatile char *p)
{
	if (sigsetjmp(jb, 1))
		return 0;
	*p = *p;
	return 1;
}

int main(void)
{
	char *vdso = (char *)getauxval(AT_SYSINFO_EHDR);
	if (vdso == NULL || memcmp(vdso, "\177ELF", 4) != 0) {
		fail("AT_SYSINFO_EHDR is not an ELF image");
		return 1;
	}

	struct timespec a, b;
	long long s0 = sys_clock(CLOCK_MONOTONIC);
	clock_gettime(CLOCK_MONOTONIC, &a);
	long long first = ns(a);
	int back = 0;
	for (int i = 0; i < READS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (ns(b) < ns(a))
			back++;
		a = b;
	}
	long long s1 = sys_clock(CLOCK_MONOTONIC);
	if (back)
		fail("CLOCK_MONOTONIC went back");
	if (first < s0 || ns(a) > s1 || ns(a) <= first)
		fail("CLOCK_MONOTONIC not between the system calls, or not advancing");

	struct timeval tv;
	struct timespec r;
	gettimeofday(&tv, NULL);
	clock_gettime(CLOCK_REALTIME, &r);
	long long sr = sys_clock(CLOCK_REALTIME);
	long long tvns = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	if (tvns > ns(r) || ns(r) > sr || sr - tvns > 1000000000LL)
		fail("gettimeofday, CLOCK_REALTIME and the system call disagree");

	errno = 0;
	if (clock_gettime(12345, &a) != -1 || errno != EINVAL)
		fail("an unknown clock did not fail with EINVAL");

	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault); /* Linux's answer for its clock page */
	char *data = vdso - 4096;
	mprotect(data, 8192, PROT_READ | PROT_WRITE);
	munmap(data, 8192);
	if (writable(vdso) || writable(data))
		fail("the vDSO's pages are writable");
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (ns(b) < ns(a))
		fail("CLOCK_MONOTONIC after mprotect and munmap");

	printf("clock: %s: %d reads of CLOCK_MONOTONIC in %lld ns; gettimeofday %ld.%06ld\n",
	       failed ? "FAIL" : "ok", READS, ns(a) - first, (long)tv.tv_sec, (long)tv.tv_usec);
	return failed;
}
