/* Records which pages of a program's code run, for scripts/order-functions.sh.
 *
 * Preloaded (LD_PRELOAD) into the program: before its own code starts, it takes execute
 * permission away from the program's code pages and gives it back page by page as each one is
 * first run (SIGSEGV), noting the page. Only the program's own executable is watched, not the
 * libraries. When the file "$TOUCHED_PAGES_OUT.request" appears, holding a phase name, the page
 * numbers (from the start of the code mapping) run so far are written to
 * "$TOUCHED_PAGES_OUT.<phase>", one per line, and the request is removed. The mapping's start
 * address and page count go to "$TOUCHED_PAGES_OUT" at start.
 *
 * A measuring tool, never part of the app: the app is profiled as it runs, then the result is
 * turned into the linker's function order (src-tauri/layout/functions.order).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL

static unsigned long code_start, code_end;
static unsigned char *run; /* one byte per code page: 1 once it has run */
static const char *out;

static void on_fault(int sig, siginfo_t *info, void *context) {
  (void)context;
  unsigned long address = (unsigned long)info->si_addr;
  if (address >= code_start && address < code_end) {
    unsigned long page = (address - code_start) / PAGE;
    run[page] = 1;
    /* Only async-signal-safe calls here: mprotect is a system call. */
    mprotect((void *)(code_start + page * PAGE), PAGE, PROT_READ | PROT_EXEC);
    return;
  }
  /* A real fault: let it end the program as it would have. */
  signal(sig, SIG_DFL);
  raise(sig);
}

static void write_phase(const char *phase) {
  char path[4096];
  snprintf(path, sizeof path, "%s.%s", out, phase);
  FILE *file = fopen(path, "w");
  if (!file) return;
  for (unsigned long page = 0; page < (code_end - code_start) / PAGE; page++)
    if (run[page]) fprintf(file, "%lu\n", page);
  fclose(file);
}

static void *serve_requests(void *unused) {
  (void)unused;
  char request[4096], phase[256];
  snprintf(request, sizeof request, "%s.request", out);
  for (;;) {
    FILE *file = fopen(request, "r");
    if (file) {
      if (fscanf(file, "%255s", phase) == 1) {
        fclose(file);
        write_phase(phase);
      } else {
        fclose(file);
      }
      unlink(request);
    }
    usleep(100 * 1000);
  }
  return NULL;
}

__attribute__((constructor)) static void start(void) {
  const char *wanted = getenv("TOUCHED_PAGES_OUT");
  if (!wanted) return;
  out = strdup(wanted);
  /* Only this process: WebKit's helper processes would inherit both and answer too. */
  unsetenv("TOUCHED_PAGES_OUT");
  unsetenv("LD_PRELOAD");
  char exe[4096];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length < 0) return;
  exe[length] = 0;
  FILE *maps = fopen("/proc/self/maps", "r");
  if (!maps) return;
  char line[8192];
  while (fgets(line, sizeof line, maps)) {
    unsigned long from, to;
    char perms[5], path[4096] = "";
    if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095s", &from, &to, perms, path) < 3) continue;
    if (perms[2] == 'x' && strcmp(path, exe) == 0) {
      code_start = from;
      code_end = to;
    }
  }
  fclose(maps);
  if (!code_start) return;
  run = calloc((code_end - code_start) / PAGE, 1);
  FILE *header = fopen(out, "w");
  if (!run || !header) return;
  fprintf(header, "%lx %lu\n", code_start, (code_end - code_start) / PAGE);
  fclose(header);

  /* Installed before the Rust runtime starts, which then leaves SIGSEGV alone. */
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_fault;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &action, NULL);
  mprotect((void *)code_start, code_end - code_start, PROT_NONE);

  pthread_t thread;
  pthread_create(&thread, NULL, serve_requests, NULL);
  pthread_detach(thread);
}
