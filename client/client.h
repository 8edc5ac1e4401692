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
};

extern const struct kt_cfg_key client_cfg_keys[];

struct rpc;

struct client {
	struct client_cfg cfg;
	struct rpc *rpc; /* connected on first use by client_rpc() */
};

/* The connection to kartad, opened (TLS + Hello/Welcome) on first use; NULL after printing
 * the reason to stderr. */
struct rpc *client_rpc(struct client *cl);

/* True when argv has -h/--help after the subcommand word: print usage and return 0. */
bool wants_help(int argc, char **argv);

int cmd_hello(struct client *cl, int argc, char **argv);
int cmd_ping(struct client *cl, int argc, char **argv);
int cmd_plan(struct client *cl, int argc, char **argv);
int cmd_plan_import(struct client *cl, int argc, char **argv);
int cmd_item(struct client *cl, int argc, char **argv);


#endif
