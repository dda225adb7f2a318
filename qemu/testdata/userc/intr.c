/*
 * intr: signals end blocking socket calls as on Linux.
 *
 *	gcc -static -O2 -pthread -o intr intr.c
 *
 * Over a loopback TCP connection in one process, a helper thread signals
 * the main thread (SIGUSR1) until it sees the main thread's call return:
 *
 *	- recv and accept with a handler installed without SA_RESTART fail
 *	  with EINTR, and the handler ran;
 *	- recv with an SA_RESTART handler is restarted: the handler runs while
 *	  it waits, and the call returns the bytes sent afterwards;
 *	- recv with SO_RCVTIMEO fails with EINTR even under SA_RESTART.
 *
 * Prints "intr ok" and exits 0; a failed check prints "FAIL: ..." and
 * exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int handled;
static atomic_int returned;	/* the main thread's call returned */
static pthread_t main_thread;

static void fail(const char *what)
{
	printf("FAIL: %s (errno %d)\n", what, errno);
	exit(1);
}

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static void install(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		fail("sigaction");
}

/* signaller sends SIGUSR1 to the main thread every millisecond until the
 * main thread's call has returned, or (with a peer fd) sends one byte on
 * it once the handler has run a few times while the call waited. */
struct signaller {
	int peer;		/* -1: signal until the call returns */
};

static void *signal_loop(void *arg)
{
	struct signaller *s = arg;
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 20000 && !atomic_load(&returned); i++) {
		pthread_kill(main_thread, SIGUSR1);
		nanosleep(&ms, NULL);
		if (s->peer >= 0 && atomic_load(&handled) >= 3) {
			if (send(s->peer, "x", 1, 0) != 1)
				fail("send");
			return NULL;
		}
	}
	return NULL;
}

static pthread_t start(struct signaller *s)
{
	atomic_store(&handled, 0);
	atomic_store(&returned, 0);
	pthread_t t;
	if (pthread_create(&t, NULL, signal_loop, s) != 0)
		fail("pthread_create");
	return t;
}

static void finish(pthread_t t)
{
	atomic_store(&returned, 1);
	pthread_join(t, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_thread = pthread_self();

	int ln = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (ln < 0 || bind(ln, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ln, 4) != 0 ||
	    getsockname(ln, (struct sockaddr *)&sa, &len) != 0)
		fail("listen");

	/* accept with no connection coming: EINTR. */
	install(0);
	struct signaller none = {.peer = -1};
	pthread_t t = start(&none);
	errno = 0;
	int r = accept(ln, NULL, NULL);
	finish(t);
	if (r != -1 || errno != EINTR)
		fail("accept without SA_RESTART: want EINTR");
	if (atomic_load(&handled) == 0)
		fail("accept: the handler did not run");

	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0)
		fail("connect");
	int s = accept(ln, NULL, NULL);
	if (s < 0)
		fail("accept");
	char b[16];

	/* recv without SA_RESTART: EINTR. */
	t = start(&none);
	errno = 0;
	r = recv(s, b, sizeof b, 0);
	finish(t);
	if (r != -1 || errno != EINTR)
		fail("recv without SA_RESTART: want EINTR");

	/* recv with SA_RESTART: restarted until the byte comes. */
	install(SA_RESTART);
	struct signaller peer = {.peer = c};
	t = start(&peer);
	errno = 0;
	r = recv(s, b, sizeof b, 0);
	finish(t);
	if (r != 1 || b[0] != 'x')
		fail("recv with SA_RESTART: want the byte sent after the signals");
	if (atomic_load(&handled) < 3)
		fail("recv with SA_RESTART: the handler did not run while it waited");

	/* SO_RCVTIMEO: EINTR even with SA_RESTART. */
	struct timeval tv = {.tv_sec = 100};
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
		fail("SO_RCVTIMEO");
	t = start(&none);
	errno = 0;
	r = recv(s, b, sizeof b, 0);
	finish(t);
	if (r != -1 || errno != EINTR)
		fail("recv with SO_RCVTIMEO: want EINTR");

	printf("intr ok\n");
	return 0;
}
