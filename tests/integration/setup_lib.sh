# shellcheck shell=bash
# setup_lib.sh: what kt_setup (lib.sh) copies into a test rather than makes — sourced by
# lib.sh. A test's certificates are copies of a set certs.sh made once a build, its database
# a copy of a template kt_populate filled once a cluster.
#   kt__certs                 the CA's, the server's and the demo organizations' certificates
#   kt__populated_template    the template database's name (made if missing)
#   kt_populate               migrations, organizations and devices in $KT_CONNINFO

# kt__certs: the CA, the server's and the demo organizations' certificates in $KT_CERTS,
# made by certs.sh once a build (and again when certs.sh or the organizations change) and
# copied: certs.sh is ~1.5 s of openssl a test.
kt__certs() {
	local cache=$KT_BIN/test-certs key
	key=$(cat "$KT_CERTSH" <(printf '%s\n' "${KT_ORGS[@]}") | md5sum | cut -c1-16)
	if [ ! -d "$cache/$key" ]; then
		mkdir -p "$cache"
		(
			flock 9
			[ -d "$cache/$key" ] && exit 0
			"$KT_CERTSH" "$cache/$key.new" "${KT_ORGS[@]}" >/dev/null
			mv "$cache/$key.new" "$cache/$key"
		) 9>"$cache/lock" || kt_fail "certs.sh could not make the test certificates"
	fi
	cp -a "$cache/$key" "$KT_CERTS"
}

# kt__populated_template: the name of a database kt_populate filled (migrations, the demo
# organizations and their devices), made once a cluster under a lock and keyed by the
# migrations (the sources and karta-admin, which embeds them: a test run before a rebuild
# must not leave a template the rebuilt binaries would take), the organizations and their
# certificates; kt_setup copies it (CREATE DATABASE
# … TEMPLATE) — the migrations and a dozen karta-admin calls were ~2 s a test.
kt__populated_template() {
	local key tmpl
	key=$(cat "$KT_ADMIN" "$KT_SRC"/sql/*.sql "$KT_SRC"/sql/functions/*.sql "$KT_CERTS"/*.pem \
		<(declare -p KT_ORGS KT_ORG_NAME KT_ORG_LEVEL KT_ORG_PARENT KT_ORG_ROLE) | md5sum | cut -c1-16)
	tmpl=kt_template_$key
	(
		flock 9
		[ "$("$KT_PGCLUSTER" psql "$KT_PG_DIR" postgres -Atq \
			-c "SELECT count(*) FROM pg_database WHERE datname = '$tmpl'")" = 0 ] || exit 0
		# shellcheck disable=SC2034 # kt_populate fills the database KT_CONNINFO names
		KT_CONNINFO=$(kt_createdb "${tmpl}_new")
		kt_populate
		"$KT_PGCLUSTER" psql "$KT_PG_DIR" postgres -Atq -v ON_ERROR_STOP=1 \
			-c "ALTER DATABASE ${tmpl}_new RENAME TO $tmpl" >/dev/null
	) 9>"$KT_PG_DIR.template.lock" >&2 || return 1
	echo "$tmpl"
}

# kt_populate: migrations and the demo organizations with their devices in $KT_CONNINFO
# (kt_setup does it; a test with its own cluster calls it after pointing KT_CONNINFO there).
kt_populate() {
	kt_admin migrate >"$KT_WORK/migrate.out" 2>&1 ||
		kt_fail "karta-admin migrate failed: $(cat "$KT_WORK/migrate.out")"
	local org
	local -a parent
	for org in "${KT_ORGS[@]}"; do
		parent=()
		[ -n "${KT_ORG_PARENT[$org]}" ] && parent=(--parent "${KT_ORG_PARENT[$org]}")
		kt_run kt_admin org add --code "$org" --name "${KT_ORG_NAME[$org]}" \
			--level "${KT_ORG_LEVEL[$org]}" "${parent[@]}"
		kt_assert_rc 0 "karta-admin org add --code $org"
		kt_run kt_admin device add --org "$org" --cert "$KT_CERTS/$org.pem" \
			--role "${KT_ORG_ROLE[$org]}" --label "test device $org"
		kt_assert_rc 0 "karta-admin device add --org $org"
	done
}
