/* SPDX-License-Identifier: MIT */
/*
 * spawn: run from the directory holding `spin`. Starts ./spin four ways, each burning 0.3 s:
 * posix_spawn and posix_spawnp with envp {"PATH=.", NULL}, system("./spin ...") and
 * popen("./spin ..."). Prints one line per child and exits 0 if all of them succeeded.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int spawned(int rc, pid_t pid, const char *how)
{
	int st;

	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", how, strerror(rc));
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s child failed (status %#x)\n", how, st);
		return -1;
	}
	printf("%s %d\n", how, (int)pid);
	return 0;
}

int main(void)
{
	char *env[] = { "PATH=.", NULL };
	char *a1[] = { "spin", "0.3", "posix_spawn", NULL };
	char *a2[] = { "spin", "0.3", "posix_spawnp", NULL };
	char line[256];
	pid_t pid;
	FILE *p;
	int st, rc;

	fflush(stdout);
	rc = posix_spawn(&pid, "./spin", NULL, NULL, a1, env);
	if (spawned(rc, pid, "posix_spawn") < 0)
		return 1;
	fflush(stdout);
	rc = posix_spawnp(&pid, "./spin", NULL, NULL, a2, env);
	if (spawned(rc, pid, "posix_spawnp") < 0)
		return 1;
	fflush(stdout);
	st = system("./spin 0.3 system");
	if (st != 0) {
		fprintf(stderr, "system: status %#x\n", st);
		return 1;
	}
	fflush(stdout);
	p = popen("./spin 0.3 popen", "r");
	if (!p) {
		perror("popen");
		return 1;
	}
	while (fgets(line, sizeof(line), p))
		fputs(line, stdout);
	st = pclose(p);
	if (st != 0) {
		fprintf(stderr, "popen: status %#x\n", st);
		return 1;
	}
	printf("spawn done\n");
	return 0;
}
