/* config: the karta client's key table ([client] section of karta.conf). */
#include <stddef.h>

#include "client.h"
#include "kt_i18n.h"

#define K(key, flag, type, field, def, min, max, help) \
	{"client", key, flag, type, offsetof(struct client_cfg, field), def, min, max, help}

const struct kt_cfg_key client_cfg_keys[] = {
	K("server", "server", KT_CFG_STR, server, "127.0.0.1:7443", 0, 0,
		N_("kartad address host:port")),
	K("server_name", "server-name", KT_CFG_STR, server_name, "", 0, 0,
		N_("name the server certificate must carry (default: the host of 'server')")),
	K("cert_file", "cert", KT_CFG_STR, cert_file, "", 0, 0,
		N_("this device's certificate (PEM), registered with karta-admin device add")),
	K("key_file", "key", KT_CFG_STR, key_file, "", 0, 0, N_("this device's private key (PEM)")),
	K("ca_file", "ca", KT_CFG_STR, ca_file, "", 0, 0, N_("the regional CA certificate (PEM)")),
	K("timeout", "timeout", KT_CFG_INT, timeout, "30", 1, 3600,
		N_("seconds to wait for the server")),
	K("state_dir", "state", KT_CFG_STR, state_dir, "", 0, 0,
		N_("the local replica and outbox (default $XDG_STATE_HOME/karta)")),
	{0},
};
