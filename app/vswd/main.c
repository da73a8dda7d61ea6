/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswd: vsw's daemon. The main lcore runs the control loop (vhost-user
 * sockets, the control socket, ageing); worker lcores poll the ports
 * (PMDs).
 *
 *   vswd [EAL options] -- --port NAME=SPEC ... [--xconnect A,B ...]
 *        [--bridge NAME=PORT,... ...] [--pmd-cores L,...] | --config FILE
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "vsw_config.h"
#include "vsw_guard.h"
#include "vsw_loop.h"
#include "vswd.h"

static volatile sig_atomic_t quit_signal;

static void
on_signal(int sig)
{
	quit_signal = sig;
}

static void
install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The control loop, until a signal or a loop error. @return exit code. */
static int
run(struct vsw_loop *loop)
{
	int n;

	printf("vswd: ready\n");
	while (!quit_signal) {
		n = vsw_loop_run_once(loop, 100);
		if (n < 0) {
			fprintf(stderr, "vswd: event loop: %s\n", strerror(-n));
			break;
		}
	}
	printf("vswd: %s, shutting down\n", quit_signal ? strsignal(quit_signal) :
	       "error");
	return quit_signal ? 0 : 1;
}

/* Everything after the configuration: guard, loop, control, data path. */
static int
serve(const struct vsw_config *cfg)
{
	struct vsw_loop *loop;
	struct vsw_dp *dp = NULL;
	char err[512];
	int rc = 1, n;

	if (cfg->is_default)
		mkdir("/run/vsw", 0755); /* the default's socket directory */
	/* Bounds every write to a front-end's eventfd (lib/guard). */
	n = vsw_guard_start(0);
	if (n != 0) {
		fprintf(stderr, "vswd: cannot start the guard watchdog: %s\n",
			strerror(-n));
		return 1;
	}
	loop = vsw_loop_create();
	if (loop == NULL) {
		fprintf(stderr, "vswd: cannot create the event loop\n");
		goto err_guard;
	}
	if (vswd_ctl_start(cfg, loop, err, sizeof(err)) != 0) {
		fprintf(stderr, "vswd: %s\n", err);
		goto err_loop;
	}
	dp = vswd_start(cfg, loop, err, sizeof(err));
	if (dp == NULL || vswd_ctl_attach(dp, err, sizeof(err)) != 0)
		fprintf(stderr, "vswd: %s\n", err);
	else
		rc = run(loop);
	vswd_ctl_stop();
	vswd_stop(dp);
err_loop:
	vsw_loop_destroy(loop);
err_guard:
	vsw_guard_stop();
	return rc;
}

int
main(int argc, char **argv)
{
	static struct vsw_config cfg;
	char err[512];
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	install_signals();
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "vswd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	vsw_config_init(&cfg);
	if (vsw_config_from_args(&cfg, argc - n, argv + n, err, sizeof(err)) != 0 ||
	    (!cfg.help && vsw_config_check(&cfg, err, sizeof(err)) != 0)) {
		fprintf(stderr, "vswd: %s\n%s", err, vsw_config_usage());
		n = 2;
	} else if (cfg.help) {
		fputs(vsw_config_usage(), stdout);
		n = 0;
	} else if (cfg.check) {
		n = vswd_check(&cfg);
	} else {
		n = serve(&cfg);
	}
	rte_eal_cleanup();
	return n;
}
