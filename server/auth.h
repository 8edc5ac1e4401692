/* auth: who is this connection? The verified client certificate's SHA-256 is looked up in
 * the device table (asynchronously, on the pool); unknown or revoked devices get an
 * UNAUTHENTICATED error and are closed. The organization is never taken from the client. */
#ifndef KT_AUTH_H
#define KT_AUTH_H

struct conn;

/* Starts the lookup for c->who.fingerprint; ends in conn_auth_done(). */
void auth_start(struct conn *c);

#endif
