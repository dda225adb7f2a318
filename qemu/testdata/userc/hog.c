/*
 * hog: a process that tries to take the machine's memory, threads or
 * descriptors must exhaust only its own share.
 *
 *	gcc -static -O2 -pthread -o hog hog.c
 *
 * Modes (argv[1]):
 *
 *	dev-zero	read 1 GiB of /dev/zero into a 1 GiB mapping: the
 *			kernel must kill it (SIGKILL, out of memory), not
 *			stop the machine
 *	touch		write to every page of a 1 GiB mapping: killed the
 *			same way
 *	files		open /dev/null until it fails: EMFILE, below the
 *			descriptor limit; prints "files ok N"
 *	threads		start sleeping threads until it fails: EAGAIN;
 *			prints "threads ok N"
 *	tables		create pipes until they fail, EMFILE at the
 *			descriptor limit, then epoll instances until they
 *			fail, ENFILE after this process's share; prints
 *			"tables ok PIPES EPOLLS"
 *	survivor SECONDS for SECONDS, repeatedly open a file, a pipe and an
 *			epoll instance, start a thread and touch 8 MiB of
 *			new memory, all of which must work while the others
 *			hog; prints "survivor ok"
 *
 * A failed check prints "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define GiB (1UL << 30)

static void fail(const char *what)
{
	printf("FAIL: %s (errno %d)\n", what, errno);
	exit(1);
}

static void *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	return p;
}

static int dev_zero(void)
{
	char *p = map(GiB);
	int fd = open("/dev/zero", O_RDONLY);
	if (fd < 0)
		fail("open /dev/zero");
	ssize_t n = read(fd, p, GiB);
	printf("FAIL: read of 1 GiB returned %zd and the process lives\n", n);
	return 1;
}

static int touch(void)
{
	char *p = map(GiB);
	for (size_t i = 0; i < GiB; i += 4096)
		p[i] = 1;
	printf("FAIL: touched 1 GiB and the process lives\n");
	return 1;
}

static int files(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		fail("getrlimit");
	int n = 0;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			break;
		if ((rlim_t)fd >= rl.rlim_cur)
			fail("a descriptor at or above RLIMIT_NOFILE");
		n++;
	}
	if (errno != EMFILE)
		fail("open past the limit: want EMFILE");
	/* Lowering the limit is allowed; raising it past the hard limit not. */
	rl.rlim_max++;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 || errno != EPERM)
		fail("setrlimit above the hard limit: want EPERM");
	printf("files ok %d\n", n);
	return 0;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int threads(void)
{
	int n = 0;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	for (;;) {
		pthread_t t;
		int e = pthread_create(&t, &a, sleeper, NULL);
		if (e != 0) {
			if (e != EAGAIN) {
				errno = e;
				fail("pthread_create past the limit: want EAGAIN");
			}
			break;
		}
		n++;
	}
	printf("threads ok %d\n", n);
	exit(0);
}

static int tables(void)
{
	static int fds[2 * 1024];
	int pipes = 0, epolls = 0;
	while (pipes < 1024 && pipe(&fds[2 * pipes]) == 0)
		pipes++;
	/* The descriptor limit comes before this process's share of pipes. */
	if (pipes == 1024 || errno != EMFILE)
		fail("pipe past the descriptor limit: want EMFILE");
	for (int i = 0; i < 2 * pipes; i++)
		close(fds[i]);
	while (epoll_create1(0) >= 0)
		epolls++;
	if (errno != ENFILE)
		fail("epoll_create1 past the share: want ENFILE");
	if (pipes == 0 || epolls == 0)
		fail("no pipe or epoll instance at all");
	printf("tables ok %d %d\n", pipes, epolls);
	return 0;
}

static void *nothing(void *arg)
{
	return arg;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int survivor(double seconds)
{
	double end = now() + seconds;
	long rounds = 0;
	while (now() < end) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			fail("survivor: open");
		close(fd);
		int pp[2];
		if (pipe(pp) != 0)
			fail("survivor: pipe");
		close(pp[0]);
		close(pp[1]);
		if ((fd = epoll_create1(0)) < 0)
			fail("survivor: epoll_create1");
		close(fd);
		pthread_t t;
		errno = pthread_create(&t, NULL, nothing, NULL);
		if (errno != 0)
			fail("survivor: pthread_create");
		pthread_join(t, NULL);
		char *p = map(8 << 20);
		for (size_t i = 0; i < (8 << 20); i += 4096)
			p[i] = 1;
		munmap(p, 8 << 20);
		rounds++;
	}
	printf("survivor ok: %ld rounds\n", rounds);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "dev-zero") == 0)
		return dev_zero();
	if (argc == 2 && strcmp(argv[1], "touch") == 0)
		return touch();
	if (argc == 2 && strcmp(argv[1], "files") == 0)
		return files();
	if (argc == 2 && strcmp(argv[1], "threads") == 0)
		return threads();
	if (argc == 2 && strcmp(argv[1], "tables") == 0)
		return tables();
	if (argc == 3 && strcmp(argv[1], "survivor") == 0)
		return survivor(atof(argv[2]));
	fprintf(stderr, "usage: hog dev-zero | touch | files | threads | tables | survivor SECONDS\n");
	return 2;
}
