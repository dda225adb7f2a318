/*
 * echo: a TCP and UDP echo server on one port (argv[1], default 7), for
 * Warren's ring-3 process tests. It is an ordinary static Linux program:
 *
 *	gcc -static -O2 -pthread -o echo echo.c
 *
 * Every TCP connection is served by a detached thread of its own; a
 * second thread echoes UDP datagrams. "echo: listening on port N" is
 * printed once both sockets are bound and the TCP one listens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum {
	BUFSIZE = 64 * 1024,
	THREAD_STACK = 256 * 1024,
};

static void die(const char *what)
{
	fprintf(stderr, "echo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* write_all writes all n bytes of buf to fd, resuming after short writes
 * and interrupted calls. It returns 0, or -1 with errno set. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) { /* not expected from a socket; don't spin */
			errno = EIO;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* serve_conn echoes one TCP connection until the peer stops sending. */
static void *serve_conn(void *arg)
{
	int fd = *(int *)arg;
	free(arg);
	char *buf = malloc(BUFSIZE);
	if (buf == NULL) {
		fprintf(stderr, "echo: out of memory for a connection\n");
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf, BUFSIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECONNRESET)
				fprintf(stderr, "echo: read: %s\n", strerror(errno));
			break;
		}
		if (n == 0) /* the peer closed its side: all echoed */
			break;
		if (write_all(fd, buf, (size_t)n) < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				fprintf(stderr, "echo: write: %s\n", strerror(errno));
			break;
		}
	}
	free(buf);
	close(fd);
	return NULL;
}

/* serve_udp sends every datagram on fd back to where it came from. */
static void *serve_udp(void *arg)
{
	int fd = *(int *)arg;
	char *buf = malloc(BUFSIZE);
	if (buf == NULL) {
		fprintf(stderr, "echo: out of memory for UDP\n");
		return NULL;
	}
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from;
		ssize_t n = recvfrom(fd, buf, BUFSIZE, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "echo: recvfrom: %s\n", strerror(errno));
			continue;
		}
		ssize_t w;
		do {
			w = sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
		} while (w < 0 && errno == EINTR);
		if (w < 0)
			fprintf(stderr, "echo: sendto: %s\n", strerror(errno));
	}
	return NULL;
}

static int parse_port(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535) {
		fprintf(stderr, "echo: bad port %s\n", s);
		exit(2);
	}
	return (int)v;
}

static int bound_socket(int type, int port)
{
	int fd = socket(AF_INET, type, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		die("setsockopt SO_REUSEADDR");
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind");
	return fd;
}

/* start_thread starts fn(arg) on a detached thread; it returns 0 or an
 * error number. */
static int start_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int err = pthread_attr_init(&attr);
	if (err != 0)
		return err;
	err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (err == 0)
		err = pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_t th;
	if (err == 0)
		err = pthread_create(&th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return err;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? parse_port(argv[1]) : 7;

	/* A peer that goes away makes write fail with EPIPE, not kill us. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		die("sigaction SIGPIPE");

	int tcp = bound_socket(SOCK_STREAM, port);
	if (listen(tcp, SOMAXCONN) < 0)
		die("listen");
	static int udp;
	udp = bound_socket(SOCK_DGRAM, port);
	int err = start_thread(serve_udp, &udp);
	if (err != 0) {
		fprintf(stderr, "echo: starting the UDP thread: %s\n", strerror(err));
		return 1;
	}

	printf("echo: listening on port %d\n", port);
	fflush(stdout);

	for (;;) {
		int fd = accept(tcp, NULL, NULL);
		if (fd < 0) {
			switch (errno) {
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
				continue;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM: {
				/* Out of resources: let connections end first. */
				fprintf(stderr, "echo: accept: %s\n", strerror(errno));
				struct timespec pause = {0, 100 * 1000 * 1000};
				nanosleep(&pause, NULL);
				continue;
			}
			default:
				die("accept");
			}
		}
		int *arg = malloc(sizeof *arg);
		if (arg == NULL) {
			fprintf(stderr, "echo: out of memory for a connection\n");
			close(fd);
			continue;
		}
		*arg = fd;
		err = start_thread(serve_conn, arg);
		if (err != 0) {
			fprintf(stderr, "echo: starting a connection thread: %s\n", strerror(err));
			free(arg);
			close(fd);
		}
	}
}
