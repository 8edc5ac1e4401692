/* auth: who is this connection? The verified client certificate's SHA-256 is looked up in
 * the device table (asynchronously, on the pool); unknown or revoked devices get an
 * UNAUTHENTICATED error and are closed, and a
 * device past max_conns_per_device gets BUSY. The organization is never taken from the client. */
#ifndef KT_AUTH_H
#define KT_AUTH_H

struct session;

/* Starts the lookup for the connection's verified fingerprint; ends with the identity in
 * s->who and frames flowing (conn_accept_frames), or in an Error and a close. */
void auth_start(struct session *s);

#endif
