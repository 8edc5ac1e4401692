/* kt_tls: OpenSSL contexts for karta's mutual TLS, shared by kartad and karta.
 * Policy (one place): TLS 1.2 minimum, AEAD suites only (ECDHE + AES-GCM / CHACHA20-POLY1305;
 * TLS 1.3's suites are all AEAD), no renegotiation, no compression. The server requires a
 * client certificate signed by the configured CA; the client verifies the server certificate
 * against the CA and the host name. */
#ifndef KT_TLS_H
#define KT_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

#define KT_FINGERPRINT_LEN 64 /* SHA-256, lower-case hex, no separators */

/* New server context, or NULL with err filled ("cannot load certificate 'x.pem': ..."). */
SSL_CTX *kt_tls_server_ctx(const char *cert_file, const char *key_file, const char *ca_file,
	char *err, size_t errlen);
/* New client context with our certificate and the CA to verify the server. */
SSL_CTX *kt_tls_client_ctx(const char *cert_file, const char *key_file, const char *ca_file,
	char *err, size_t errlen);

/* SHA-256 of the DER certificate as 64 lower-case hex chars + NUL. Returns 0 or -1. */
int kt_tls_fingerprint(X509 *cert, char out[KT_FINGERPRINT_LEN + 1]);
/* Same, of the first certificate in a PEM file. */
int kt_tls_file_fingerprint(const char *pem_file, char out[KT_FINGERPRINT_LEN + 1], char *err,
	size_t errlen);
/* Whether a certificate is valid now. Not OK, what says so for people (translated):
 * "device certificate 'x.pem' expired on 2025-01-01 00:00 UTC: …" or "… is not valid yet:
 * …". label names the certificate's role ("device certificate"). */
enum kt_cert_time { KT_CERT_VALID = 0, KT_CERT_EXPIRED = 1, KT_CERT_NOT_YET = 2 };
enum kt_cert_time kt_tls_cert_time(X509 *cert, const char *file, char *what, size_t n);
/* Same, of the first certificate in a PEM file; -1 when it cannot be read (nothing said:
 * loading it reports that). */
int kt_tls_file_cert_time(const char *pem_file, char *what, size_t n);
/* Normalizes "AB:CD:.." or "abcd.." into 64 lower-case hex chars; -1 if not a SHA-256. */
int kt_tls_normalize_fingerprint(const char *in, char out[KT_FINGERPRINT_LEN + 1]);
/* The most recent OpenSSL error as text (clears the queue). */
const char *kt_tls_error(char *buf, size_t len);

#endif
