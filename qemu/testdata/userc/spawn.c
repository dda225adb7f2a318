// spawn is run by TestUserExec. With no arguments it starts processes
// without fork, as glibc's vfork and execve, and waits for them with
// waitpid and waitid; "echo WORDS", "exit N" and "kill" are what it does
// when started (by itself or by testdata/userexec). It prints "spawn: ok"
// or the first failure.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
	printf("spawn: FAIL %s (errno %d)\n", what, errno);
	return 1;
}

static volatile int child_errno;

// start runs /bin/spawn with args in a vfork child; the child's execve
// error, if any, comes back through the memory it shares with us.
static pid_t start(const char *path, char *const args[]) {
	static char *env[] = {"SPAWN=1", NULL};
	child_errno = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		execve(path, args, env);
		child_errno = errno;
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "echo") == 0) {
		for (int i = 2; i < argc; i++)
			printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc > 1 && strcmp(argv[1], "kill") == 0) {
		kill(getpid(), SIGTERM);
		pause();
		return 99;
	}

	char *exit7[] = {"/bin/spawn", "exit", "7", NULL};
	int st;
	pid_t pid = start("/bin/spawn", exit7);
	if (pid <= 0)
		return fail("vfork");
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return fail("exit status 7");

	char *nope[] = {"/bin/nope", NULL};
	pid = start("/bin/nope", nope);
	if (pid <= 0 || child_errno != ENOENT)
		return fail("execve of a missing file");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 127)
		return fail("status of a failed execve");

	char *killed[] = {"/bin/spawn", "kill", NULL};
	pid = start("/bin/spawn", killed);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) != 0)
		return fail("waitid WNOWAIT");
	if (si.si_pid != pid || si.si_signo != SIGCHLD || si.si_code != CLD_KILLED || si.si_status != SIGTERM)
		return fail("waitid's siginfo");
	if (waitpid(-1, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		return fail("waitpid after WNOWAIT");

	if (waitpid(-1, &st, WNOHANG) != -1 || errno != ECHILD)
		return fail("waitpid without children");
	printf("spawn: ok\n");
	return 0;
}
