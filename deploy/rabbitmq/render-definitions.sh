#!/bin/sh
# Render the RabbitMQ definitions directory that the broker imports at boot
# (rabbitmq.conf: load_definitions = <TARGET_DIR>), then optionally exec the broker.
#
#   render-definitions.sh SOURCE_DIR TARGET_DIR [-- COMMAND [ARG]...]
#
# SOURCE_DIR holds users.json (vhost, users, permissions, topic permissions; committed, no
# secrets) and definitions.json (the topology, generated from mlc_shared.bus). TARGET_DIR
# receives, imported in file-name order (RabbitMQ 3.10 applies a directory's files one by
# one, sorted, and seeds no default vhost or user when it has definitions to load):
#
#   10-users.json     users.json with each user's password taken from the environment
#   15-admin.json     an administrator, if RABBITMQ_ADMIN_USERNAME/_PASSWORD are set
#   20-topology.json  definitions.json as is (it needs the vhost of 10-users.json)
#
# Why render at all: RabbitMQ's definitions format cannot read the environment, and a
# committed password_hash would be a committed password. In users.json every user has
# "password_hash": "" (safe if loaded raw: such a user cannot log in with a password); here
# that is replaced by "password": "<value of MLC_AMQP_PASSWORD_<NAME>>", where <NAME> is the
# user name without its "mlc-" prefix, upper-cased, "-" turned into "_" (mlc-agent-default
# -> MLC_AMQP_PASSWORD_AGENT_DEFAULT). RabbitMQ hashes a plain "password" on import.
# users.json keeps one user per line so this stays a line edit in POSIX sh (the broker
# image has no Python or jq); tests/deploy checks that format.
set -eu

fail() {
    echo "render-definitions.sh: $*" >&2
    exit 1
}

check_password() {  # check_password VARIABLE VALUE
    # The same password goes unescaped into the services' amqp:// URLs (RFC 3986
    # "unreserved" characters only) and into JSON here.
    case $2 in
        *[!A-Za-z0-9._~-]*) fail "$1 may contain only letters, digits and . _ ~ - (it is used unescaped in amqp:// URLs)" ;;
    esac
    [ "${#2}" -ge 16 ] || fail "$1 must be at least 16 characters long"
}

[ $# -ge 2 ] || fail "usage: render-definitions.sh SOURCE_DIR TARGET_DIR [-- COMMAND...]"
src=$1
dest=$2
shift 2
if [ $# -gt 0 ]; then
    [ "$1" = "--" ] || fail "expected -- before the command to run, got '$1'"
    shift
fi
[ -f "$src/users.json" ] || fail "$src/users.json not found"
[ -f "$src/definitions.json" ] || fail "$src/definitions.json not found"

umask 077
mkdir -p "$dest"
rm -f "$dest"/*.json "$dest"/.rendering

while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        *'"password_hash": ""'*)
            name=$(printf '%s\n' "$line" | sed -n 's/.*"name": "\([a-z0-9-]*\)".*/\1/p')
            [ -n "$name" ] || fail "users.json: a user without a plain lower-case name: $line"
            suffix=${name#mlc-}
            var=MLC_AMQP_PASSWORD_$(printf '%s' "$suffix" | tr 'a-z-' 'A-Z_')
            eval "value=\${$var:-}"
            [ -n "$value" ] || fail "$var is not set (the password of RabbitMQ user $name)"
            check_password "$var" "$value"
            line=$(printf '%s\n' "$line" | sed "s/\"password_hash\": \"\"/\"password\": \"$value\"/")
            ;;
        *'"password'*)
            fail "users.json: only \"password_hash\": \"\" is allowed (passwords come from the environment): $line"
            ;;
    esac
    printf '%s\n' "$line" >>"$dest/.rendering"
done <"$src/users.json"
mv "$dest/.rendering" "$dest/10-users.json"

admin=${RABBITMQ_ADMIN_USERNAME:-}
if [ -n "$admin" ]; then
    case $admin in
        *[!A-Za-z0-9._-]*) fail "RABBITMQ_ADMIN_USERNAME may contain only letters, digits and . _ -" ;;
    esac
    admin_password=${RABBITMQ_ADMIN_PASSWORD:-}
    [ -n "$admin_password" ] || fail "RABBITMQ_ADMIN_PASSWORD is not set (RABBITMQ_ADMIN_USERNAME is)"
    check_password RABBITMQ_ADMIN_PASSWORD "$admin_password"
    cat >"$dest/15-admin.json" <<EOF
{
  "users": [{"name": "$admin", "password": "$admin_password", "tags": ["administrator"]}],
  "permissions": [{"user": "$admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}]
}
EOF
fi

cp "$src/definitions.json" "$dest/20-topology.json"
chmod 0600 "$dest"/*.json
# The official image starts as root and drops to the rabbitmq user; the files must be
# readable by that user (and by nobody else: they hold passwords).
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq "$dest"
fi

if [ $# -gt 0 ]; then
    exec "$@"
fi
