#!/bin/sh
# Deploy (or upgrade) an overlay in one command, in the order a release needs:
#
#   deploy/k8s/deploy.sh production          # or staging, or a path to an overlay
#
# 1. the namespace, the configuration, the network policies and the migration Job of this
#    release (a Job cannot be changed, so the previous release's Job is deleted first);
# 2. wait until the migrations are complete (a failed Job stops the deployment here: the
#    running release keeps serving on the schema it had);
# 3. everything else: the Deployments roll out one replica at a time.
#
# Needs kubectl with kustomize (or KUBECTL=…); the overlay's database.env, pii.env and
# auth.env written beside it (see their *.env.example). MIGRATION_TIMEOUT (default 30m).
set -eu

overlay=${1:?usage: deploy.sh staging|production|PATH}
case "$overlay" in
  */*) ;;
  *) overlay="$(dirname "$0")/overlays/$overlay" ;;
esac
[ -f "$overlay/kustomization.yaml" ] || { echo "deploy.sh: no overlay at $overlay" >&2; exit 2; }
for env_file in database.env pii.env auth.env; do
  [ -f "$overlay/$env_file" ] || {
    echo "deploy.sh: write $overlay/$env_file first (see $env_file.example)" >&2
    exit 2
  }
done
kubectl=${KUBECTL:-kubectl}
namespace=$(sed -n 's/^namespace: *//p' "$overlay/kustomization.yaml")
[ -n "$namespace" ] || { echo "deploy.sh: the overlay names no namespace" >&2; exit 2; }

first='app.kubernetes.io/component in (namespace,config,network,migration)'
$kubectl -n "$namespace" delete job migrate --ignore-not-found
$kubectl apply -k "$overlay" -l "$first"
$kubectl -n "$namespace" wait --for=condition=complete \
  --timeout="${MIGRATION_TIMEOUT:-30m}" job/migrate
$kubectl apply -k "$overlay"
