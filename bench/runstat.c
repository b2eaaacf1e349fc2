/* runstat: runs a command N times and prints one line per run:
 *   <wall_ms> <maxrss_kb> <user_ms> <sys_ms> <exit_status>
 * Wall time is CLOCK_MONOTONIC around fork+exec+wait; the rest is the child's getrusage
 * (wait4). A small C parent keeps the child's peak RSS honest: Linux carries the forking
 * process's RSS high-water mark into the child's ru_maxrss at exec, so measuring from a
 * Python parent would add the interpreter's ~10 MB to every figure.
 * Usage: runstat N [--out FILE] [--stdout FILE] -- COMMAND [ARG...]
 *   --stdout FILE  the child's stdout (default /dev/null); its stderr goes to FILE.err */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms_between(const struct timespec* a, const struct timespec* b) {
  return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

static double tv_ms(const struct timeval* t) { return t->tv_sec * 1e3 + t->tv_usec / 1e3; }

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: runstat N [--out FILE] [--stdout FILE] -- COMMAND [ARG...]\n");
    return 2;
  }
  int n = atoi(argv[1]);
  const char* out_path = NULL;
  const char* child_out = "/dev/null";
  int i = 2;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    if (!strcmp(argv[i], "--out") && i + 1 < argc) out_path = argv[++i];
    else if (!strcmp(argv[i], "--stdout") && i + 1 < argc) child_out = argv[++i];
  }
  if (i + 1 >= argc) return 2;
  char** cmd = argv + i + 1;
  FILE* out = out_path ? fopen(out_path, "w") : stdout;
  if (!out) return 2;
  char err_path[4096];
  snprintf(err_path, sizeof err_path, "%s.err", child_out);
  for (int run = 0; run < n; ++run) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      int o = open(child_out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = strcmp(child_out, "/dev/null") ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
                                             : open("/dev/null", O_WRONLY);
      if (o >= 0) dup2(o, 1);
      if (e >= 0) dup2(e, 2);
      execvp(cmd[0], cmd);
      _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(out, "%.3f %ld %.3f %.3f %d\n", ms_between(&t0, &t1), ru.ru_maxrss,
            tv_ms(&ru.ru_utime), tv_ms(&ru.ru_stime),
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    fflush(out);
  }
  if (out != stdout) fclose(out);
  return 0;
}
