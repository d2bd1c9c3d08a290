#!/bin/sh
# The image's entrypoint: the command picks what the container runs.
#
#   capacity | foster_care | family_counselling | reporting_gateway
#       the service as production runs it (python -m common.serve, on 0.0.0.0:$PORT)
#   migrate SERVICE [SERVICE...]
#       each service's Alembic migrations to head, one after the other. One service: its
#       DATABASE_URL. Several: DATABASE_URL_<SERVICE> (e.g. DATABASE_URL_FOSTER_CARE) for each,
#       or else DATABASE_URL with its database name replaced by the service's (a server and a
#       database to connect to, the service databases beside it, as `make migrate` reads it).
#       DATABASE_URL_<SERVICE> wins over DATABASE_URL with one service too.
#   anything else
#       exec'd as it is (e.g. `python -m common.serve --help`, `sh`)
#
# Unknown services and missing URLs are errors (exit 2). POSIX sh: no bash in slim images.
set -eu

APP_DIR=${APP_DIR:-/app}
SERVICES="capacity foster_care family_counselling reporting_gateway"

usage() {
  cat <<USAGE
usage: entrypoint.sh capacity|foster_care|family_counselling|reporting_gateway
       entrypoint.sh migrate SERVICE [SERVICE...]
       entrypoint.sh COMMAND [ARG...]
USAGE
}

die() {
  echo "entrypoint: $*" >&2
  exit 2
}

known() {
  for candidate in $SERVICES; do
    [ "$candidate" = "$1" ] && return 0
  done
  return 1
}

# DATABASE_URL with its database (the URL's path) replaced by $2; query and credentials kept.
database_beside() {
  python -c '
import sys
from urllib.parse import urlsplit, urlunsplit

url = urlsplit(sys.argv[1])
print(urlunsplit(url._replace(path="/" + sys.argv[2])))
' "$1" "$2"
}

migrate() {
  [ "$#" -gt 0 ] || die "migrate needs at least one service: $SERVICES"
  for service in "$@"; do
    known "$service" || die "unknown service '$service'; one of: $SERVICES"
  done
  several=$([ "$#" -gt 1 ] && echo yes || echo no)
  for service in "$@"; do
    variable="DATABASE_URL_$(echo "$service" | tr '[:lower:]' '[:upper:]')"
    url=$(printenv "$variable" || true)
    if [ -z "$url" ]; then
      [ -n "${DATABASE_URL:-}" ] || die "set DATABASE_URL or $variable to migrate $service"
      if [ "$several" = yes ]; then
        url=$(database_beside "$DATABASE_URL" "$service")
      else
        url=$DATABASE_URL
      fi
    fi
    ini="$APP_DIR/services/$service/alembic.ini"
    [ -f "$ini" ] || die "$ini is missing"
    echo "entrypoint: migrating $service" >&2
    DATABASE_URL=$url alembic -c "$ini" upgrade head
  done
}

[ "$#" -gt 0 ] || {
  usage >&2
  exit 2
}

case "$1" in
  -h | --help | help)
    usage
    ;;
  migrate)
    shift
    migrate "$@"
    ;;
  capacity | foster_care | family_counselling | reporting_gateway)
    service=$1
    shift
    [ "$#" -eq 0 ] || die "$service takes no arguments (settings come from the environment)"
    exec python -m common.serve "$service.app:create_app" --host 0.0.0.0 --port "${PORT:-8000}"
    ;;
  *)
    exec "$@"
    ;;
esac
