/* kt_tls: builds SSL_CTXs with karta's TLS policy; see kt_tls.h.
 * Server contexts are rebuilt whole on SIGHUP and swapped, so this code never mutates a
 * context that connections already use. */
#include "kt_tls.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kt_dates.h"

#include "kt_i18n.h"

/* TLS 1.2: ECDHE key exchange with AEAD ciphers only (no CBC, no static RSA). */
static const char tls12_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
static const char tls13_suites[] =
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
static const char session_ctx_id[] = "karta";

const char *kt_tls_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	unsigned long next;
	while ((next = ERR_get_error()) != 0) /* report the first, drop the rest */
		;
	if (!e)
		snprintf(buf, len, "unknown error");
	else
		ERR_error_string_n(e, buf, len);
	return buf;
}

static SSL_CTX *ctx_common(const SSL_METHOD *method, const char *cert_file, const char *key_file,
	const char *ca_file, char *err, size_t errlen)
{
	char e[256];
	SSL_CTX *ctx = SSL_CTX_new(method);
	if (!ctx) {
		snprintf(err, errlen, _("cannot create TLS context: %s"), kt_tls_error(e, sizeof e));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (!SSL_CTX_set_cipher_list(ctx, tls12_ciphers) ||
	    !SSL_CTX_set_ciphersuites(ctx, tls13_suites) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384")) {
		snprintf(err, errlen, _("cannot set TLS ciphers: %s"), kt_tls_error(e, sizeof e));
		goto fail;
	}
	if (!cert_file || !*cert_file) {
		snprintf(err, errlen, _("no certificate file configured"));
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		snprintf(err, errlen, _("cannot load certificate '%s': %s"), cert_file,
			kt_tls_error(e, sizeof e));
		goto fail;
	}
	if (!key_file || !*key_file) {
		snprintf(err, errlen, _("no key file configured"));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, _("cannot load key '%s': %s"), key_file, kt_tls_error(e, sizeof e));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, _("key '%s' does not match certificate '%s'"), key_file, cert_file);
		goto fail;
	}
	if (!ca_file || !*ca_file) {
		snprintf(err, errlen, _("no CA file configured"));
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		snprintf(err, errlen, _("cannot load CA '%s': %s"), ca_file, kt_tls_error(e, sizeof e));
		goto fail;
	}
	SSL_CTX_set_verify_depth(ctx, 4);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *kt_tls_server_ctx(const char *cert_file, const char *key_file, const char *ca_file,
	char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_common(TLS_server_method(), cert_file, key_file, ca_file, err, errlen);
	if (!ctx)
		return NULL;
	STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_file);
	if (names)
		SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Resumption with client certificates needs a session id context; one ticket per
	 * handshake halves the handshake's ticket cost (docs/protocol.md). */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)session_ctx_id,
		sizeof session_ctx_id - 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_num_tickets(ctx, 1);
	return ctx;
}

SSL_CTX *kt_tls_client_ctx(const char *cert_file, const char *key_file, const char *ca_file,
	char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_common(TLS_client_method(), cert_file, key_file, ca_file, err, errlen);
	if (!ctx)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

int kt_tls_fingerprint(X509 *cert, char out[KT_FINGERPRINT_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
		return -1;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int kt_tls_file_fingerprint(const char *pem_file, char out[KT_FINGERPRINT_LEN + 1], char *err,
	size_t errlen)
{
	FILE *f = fopen(pem_file, "r");
	if (!f) {
		snprintf(err, errlen, _("cannot open certificate '%s': %s"), pem_file, strerror(errno));
		return -1;
	}
	X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert) {
		snprintf(err, errlen, _("cannot read certificate '%s': not a PEM certificate"), pem_file);
		ERR_clear_error();
		return -1;
	}
	int rc = kt_tls_fingerprint(cert, out);
	X509_free(cert);
	if (rc != 0)
		snprintf(err, errlen, _("cannot hash certificate '%s'"), pem_file);
	return rc;
}

/* An ASN1_TIME for a person: "2025-01-01 00:00 UTC", to a Russian reader "01.01.2025 03:00 MSK"
 * (kt_date_people: local time and zone). */
static void asn1_day(const ASN1_TIME *t, char *buf, size_t n)
{
	struct tm tm;
	char iso[32];
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
		snprintf(buf, n, "?");
		return;
	}
	if (kt_i18n_russian() && strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		kt_date_people(iso, true, buf, n);
}

enum kt_cert_time kt_tls_cert_time(X509 *cert, const char *file, char *what, size_t n)
{
	char day[64];
	const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);
	if (na && X509_cmp_current_time(na) < 0) {
		asn1_day(na, day, sizeof day);
		snprintf(what, n, _("device certificate '%s' expired on %s: the server refuses "
			"it; ask the regional coordinator for a new one"), file, day);
		return KT_CERT_EXPIRED;
	}
	if (nb && X509_cmp_current_time(nb) > 0) {
		asn1_day(nb, day, sizeof day);
		snprintf(what, n, _("device certificate '%s' is not valid yet: it is valid from %s; "
			"check this computer's date and time"), file, day);
		return KT_CERT_NOT_YET;
	}
	*what = '\0';
	return KT_CERT_VALID;
}

int kt_tls_file_cert_time(const char *pem_file, char *what, size_t n)
{
	FILE *f = pem_file && *pem_file ? fopen(pem_file, "r") : NULL;
	X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!cert) {
		ERR_clear_error();
		return -1;
	}
	int rc = (int)kt_tls_cert_time(cert, pem_file, what, n);
	X509_free(cert);
	return rc;
}

int kt_tls_normalize_fingerprint(const char *in, char out[KT_FINGERPRINT_LEN + 1])
{
	int n = 0;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n == KT_FINGERPRINT_LEN)
			return -1;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	return n == KT_FINGERPRINT_LEN ? 0 : -1;
}
