/*
 * race: two processes racing blocked system calls against each other. A
 * call that sleeps and then copies to or from its caller's memory must
 * reach the caller's memory as it is after the sleep, never the memory of
 * whichever process ran meanwhile, and must fail with EFAULT (the kernel
 * surviving) when a sibling thread unmapped the buffer during the sleep.
 *
 *	gcc -static -O2 -pthread -o race race.c
 *
 * Both modes use the same global arena, so in two copies of this (non-PIE)
 * program it lies at the same address in both processes: a copy that goes
 * through the wrong address space lands in the other process's arena.
 *
 * Modes (argv[1]):
 *
 *	victim SECONDS	fill the arena with 'V' and, for SECONDS, make
 *			system calls with pointers (so the kernel keeps
 *			reaching into this process) and yield; prints
 *			"victim ok" if the arena never changed
 *	attacker ROUNDS	ROUNDS rounds each of a pipe read, a pipe write,
 *			poll and epoll_wait that block in one thread
 *			until another thread (or the victim's turn) lets
 *			them go; each checks that the data landed in its
 *			own arena. Then reads into a buffer that a
 *			sibling unmaps during the wait: EFAULT, and the
 *			data is still in the pipe. Prints "attacker ok"
 *
 * A failed check prints a line starting with "FAIL:" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ARENA 16384
#define MSG 64

static unsigned char arena[ARENA] __attribute__((aligned(4096)));

static int fail(const char *what, long round)
{
	printf("FAIL: %s (round %ld)\n", what, round);
	fflush(stdout);
	exit(1);
}

/* now reads the monotonic clock through the system call, not the vDSO,
 * so that every call hands the kernel a pointer into this process. */
static double now(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int victim(double seconds)
{
	memset(arena, 'V', sizeof arena);
	double end = now() + seconds;
	long rounds = 0;
	while (now() < end) {
		struct timespec ts;
		syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
		sched_yield();
		for (size_t i = 0; i < sizeof arena; i++)
			if (arena[i] != 'V')
				fail("victim: another process wrote into this one's arena", rounds);
		rounds++;
	}
	printf("victim ok: %ld rounds\n", rounds);
	return 0;
}

/* The waker thread: each round, after the main thread has blocked, it
 * yields (the victim runs, and the kernel reaches into the victim) and
 * then lets the blocked call go. */
struct waker {
	int fd;			/* where to write or read */
	int reading;		/* drain instead of write */
	long rounds;
	void *unmap;		/* if set: unmap this page before writing */
};

static void pause_briefly(void)
{
	struct timespec ts = {0, 200000};
	sched_yield();
	nanosleep(&ts, NULL);
	sched_yield();
}

static void *wake(void *arg)
{
	struct waker *w = arg;
	unsigned char msg[MSG];
	for (long r = 0; r < w->rounds; r++) {
		pause_briefly();
		if (w->unmap != NULL && munmap(w->unmap, 4096) != 0)
			fail("munmap", r);
		if (w->reading) {
			static unsigned char sink[1 << 16];
			if (read(w->fd, sink, sizeof sink) <= 0)
				fail("waker: drain", r);
			continue;
		}
		memset(msg, 'a' + r % 26, sizeof msg);
		if (write(w->fd, msg, sizeof msg) != MSG)
			fail("waker: write", r);
	}
	return NULL;
}

static pthread_t start(struct waker *w)
{
	pthread_t t;
	if (pthread_create(&t, NULL, wake, w) != 0)
		fail("pthread_create", 0);
	return t;
}

static void check_msg(const unsigned char *p, long r, const char *what)
{
	for (int i = 0; i < MSG; i++)
		if (p[i] != 'a' + r % 26)
			fail(what, r);
}

static void pipe_read(long rounds)
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe", 0);
	struct waker w = {.fd = p[1], .rounds = rounds};
	pthread_t t = start(&w);
	for (long r = 0; r < rounds; r++) {
		memset(arena, 0, MSG);
		if (read(p[0], arena, MSG) != MSG)
			fail("pipe read", r);
		check_msg(arena, r, "pipe read: the bytes did not land in the reader's buffer");
	}
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
}

/* A blocked write copies from its caller's buffer after the reader makes
 * room: the pipe must carry the writer's bytes, not the victim's. */
static void pipe_write(long rounds)
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe", 0);
	static unsigned char buf[1 << 16];
	for (long r = 0; r < rounds; r++) {
		/* Fill the pipe with zeros so that the write below blocks. */
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		memset(buf, 0, sizeof buf);
		while (write(p[1], buf, sizeof buf) > 0)
			;
		fcntl(p[1], F_SETFL, 0);
		memset(arena, 'w', ARENA);
		struct waker w = {.fd = p[0], .reading = 1, .rounds = 1};
		pthread_t t = start(&w);
		if (write(p[1], arena, ARENA) != ARENA)
			fail("pipe write", r);
		pthread_join(t, NULL);
		/* Drain what is left: zeros and the writer's 'w's only. */
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		ssize_t k;
		while ((k = read(p[0], buf, sizeof buf)) > 0)
			for (ssize_t i = 0; i < k; i++)
				if (buf[i] != 0 && buf[i] != 'w')
					fail("pipe write: the pipe carried bytes that were not the writer's", r);
		fcntl(p[0], F_SETFL, 0);
	}
	close(p[0]);
	close(p[1]);
}

static void poll_race(long rounds)
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe", 0);
	struct waker w = {.fd = p[1], .rounds = rounds};
	pthread_t t = start(&w);
	struct pollfd *pf = (struct pollfd *)arena;
	unsigned char msg[MSG];
	for (long r = 0; r < rounds; r++) {
		pf->fd = p[0];
		pf->events = POLLIN;
		pf->revents = 0;
		if (poll(pf, 1, -1) != 1)
			fail("poll", r);
		if (pf->revents != POLLIN)
			fail("poll: revents did not land in the caller's array", r);
		if (read(p[0], msg, MSG) != MSG)
			fail("poll: read", r);
	}
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
}

static void epoll_race(long rounds)
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe", 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x5a5a5a5a12345678ULL};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
		fail("epoll setup", 0);
	struct waker w = {.fd = p[1], .rounds = rounds};
	pthread_t t = start(&w);
	struct epoll_event *out = (struct epoll_event *)arena;
	unsigned char msg[MSG];
	for (long r = 0; r < rounds; r++) {
		memset(out, 0, sizeof *out);
		if (epoll_wait(ep, out, 1, -1) != 1)
			fail("epoll_wait", r);
		if (out->data.u64 != 0x5a5a5a5a12345678ULL || !(out->events & EPOLLIN))
			fail("epoll_wait: the event did not land in the caller's array", r);
		if (read(p[0], msg, MSG) != MSG)
			fail("epoll: read", r);
	}
	pthread_join(t, NULL);
	close(ep);
	close(p[0]);
	close(p[1]);
}

/* A buffer unmapped by a sibling while the read sleeps: EFAULT, the
 * kernel survives, and the bytes wait in the pipe for the next read. */
static void unmapped_read(long rounds)
{
	int p[2];
	if (pipe(p) != 0)
		fail("pipe", 0);
	for (long r = 0; r < rounds; r++) {
		unsigned char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			fail("mmap", r);
		buf[0] = 1;
		struct waker w = {.fd = p[1], .rounds = 1, .unmap = buf};
		pthread_t t = start(&w);
		errno = 0;
		ssize_t n = read(p[0], buf, MSG);
		if (n != -1 || errno != EFAULT)
			fail("read into a buffer unmapped during the wait: want EFAULT", r);
		pthread_join(t, NULL);
		unsigned char msg[MSG];
		if (read(p[0], msg, MSG) != MSG)
			fail("the bytes of the failed read were lost", r);
		check_msg(msg, 0, "the bytes of the failed read changed");
	}
	close(p[0]);
	close(p[1]);
}

static int attacker(long rounds)
{
	pipe_read(rounds);
	pipe_write(rounds / 10 + 1);
	poll_race(rounds);
	epoll_race(rounds);
	unmapped_read(rounds / 10 + 1);
	printf("attacker ok: %ld rounds\n", rounds);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "victim") == 0)
		return victim(atof(argv[2]));
	if (argc == 3 && strcmp(argv[1], "attacker") == 0)
		return attacker(atol(argv[2]));
	fprintf(stderr, "usage: race victim SECONDS | attacker ROUNDS\n");
	return 2;
}
