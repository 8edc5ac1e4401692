/* client: the karta command-line client's shared state and the subcommand interface.
 * Each subcommand is cmd_<name>(cl, argc, argv) with argv[0] its own name; it returns the
 * exit code: 0 ok, 1 runtime or server error (message on stderr), 2 usage. */
#ifndef KT_CLIENT_H
#define KT_CLIENT_H

#include <stdbool.h>

#include "kt_config.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct client_cfg {
	char *server;
	char *server_name;
	char *cert_file, *key_file, *ca_file;
	long timeout; /* seconds for connect and each reply */
	char *state_dir;
};

extern const struct kt_cfg_key client_cfg_keys[];

struct rpc;
struct replica;

struct client {
	struct client_cfg cfg;
	struct rpc *rpc;          /* connected on first use by client_rpc() */
	bool unreachable;         /* the last connect failed: no network, server down */
	bool transient;           /* the last failure may pass by itself (rpc_transient) */
	struct replica *replica;  /* opened on first use by client_replica() */
	bool cert_invalid;        /* the device certificate expired or is not valid yet: said once */
};

/* The connection to kartad, opened (TLS + Hello/Welcome) on first use; NULL after printing
 * the reason to stderr (cl->unreachable tells a network failure from a refusal). quiet:
 * print nothing (the caller works offline instead). */
struct rpc *client_rpc(struct client *cl);
struct rpc *client_rpc_quiet(struct client *cl);
/* The local replica in the state dir, opened on first use; NULL after printing why. */
struct replica *client_replica(struct client *cl);

/* True when argv has -h/--help after the subcommand word: print usage and return 0. */
bool wants_help(int argc, char **argv);

int cmd_hello(struct client *cl, int argc, char **argv);
int cmd_ping(struct client *cl, int argc, char **argv);
int cmd_plan(struct client *cl, int argc, char **argv);
int cmd_plan_import(struct client *cl, int argc, char **argv);
int cmd_item(struct client *cl, int argc, char **argv);
int cmd_sync(struct client *cl, int argc, char **argv);
int cmd_status(struct client *cl, int argc, char **argv);
int cmd_conflicts(struct client *cl, int argc, char **argv);
int cmd_registry(struct client *cl, int argc, char **argv);
int cmd_exam(struct client *cl, int argc, char **argv);
int cmd_control(struct client *cl, int argc, char **argv);
int cmd_watch(struct client *cl, int argc, char **argv);
int cmd_print(struct client *cl, int argc, char **argv); /* print/cmd_print.c: PDF forms */
/* cmd_report.c: item statuses, report requests and submissions, the roll-up. */
int cmd_item_status(struct client *cl, int argc, char **argv); /* karta item status */
int cmd_report(struct client *cl, int argc, char **argv);
int cmd_rollup(struct client *cl, int argc, char **argv);
int cmd_overdue(struct client *cl, int argc, char **argv);
int cmd_dashboard(struct client *cl, int argc, char **argv); /* dashboard/cmd_dashboard.c */


#endif
