/*
** driver.c — runs a libFuzzer harness over files without libFuzzer, so the
** seed corpora and every kept crashing input replay in `make test` with the
** ordinary compiler: `fuzz_x FILE...` (directories are walked one level).
** A path that does not exist, or a run that replays no input at all, fails
** under CI (CI=true; tools/deps.sh test fetches the seed data) and is
** reported on stderr elsewhere: a replay never passes without testing.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "%s: cannot open\n", path); return 1; }
  size_t cap = 4096, n = 0, got;
  uint8_t *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); buf = NULL; }
      else buf = nb;
    }
  }
  fclose(f);
  if (!buf) return 1;
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

static int count;

/* Whether we run under CI: CI set to anything but empty, 0, false or no. */
static int in_ci(void) {
  const char *ci = getenv("CI");
  return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0 &&
         strcmp(ci, "FALSE") != 0 && strcmp(ci, "False") != 0 && strcmp(ci, "no") != 0;
}

/* A seed path is missing: a failure under CI, a loud note elsewhere. */
static int missing(const char *prog, const char *what) {
  if (in_ci()) {
    fprintf(stderr, "FAIL: %s: %s, and under CI=true a test never skips\n", prog, what);
    return 1;
  }
  fprintf(stderr, "SKIP: %s: %s; NOT REPLAYED (under CI=true this fails)\n", prog, what);
  return 0;
}

static int run_path(const char *path, int depth) {
  struct stat sb;
  if (stat(path, &sb) != 0) return 0;
  if (S_ISREG(sb.st_mode)) { count++; return run_file(path); }
  if (!S_ISDIR(sb.st_mode) || depth > 8) return 0;
  int bad = 0;
  DIR *dir = opendir(path);
  struct dirent *e;
  while (dir && (e = readdir(dir))) {
    char sub[4096];
    if (e->d_name[0] == '.') continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    bad |= run_path(sub, depth + 1);
  }
  if (dir) closedir(dir);
  return bad;
}

int main(int argc, char **argv) {
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat sb;
    char what[4200];
    if (stat(argv[i], &sb) != 0) {
      snprintf(what, sizeof what, "seed path %s does not exist", argv[i]);
      bad |= missing(argv[0], what);
      continue;
    }
    bad |= run_path(argv[i], 0);
  }
  printf("%s: %d inputs replayed\n", argv[0], count);
  if (count == 0) bad |= missing(argv[0], "no input at all to replay");
  return bad;
}
