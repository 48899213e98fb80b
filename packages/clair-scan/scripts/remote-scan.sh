#!/usr/bin/env bash
# remote-scan.sh: the pipeline side of the scan gate. Assumes the target account's invoker role,
# starts that account's scanner CodeBuild project (which runs scan-image next to Clair), waits for
# it within a bound, prints the result and where its log is, and exits 0 only if it SUCCEEDED.
#
# Environment: CLAIR_SCAN_CONTRACT (the contract version this script speaks; set by whatever runs
# it: the buildspec of a ClairScanStep, or `clair-scan remote-scan`), INVOKER_ROLE_ARN,
# SCANNER_PROJECT_NAME, SCANNER_REGION, IMAGE_URI (or READINESS_ONLY=true); passed to the remote build only when set: SEVERITY, MAX_VULNERABILITIES,
# COUNT_UNKNOWN, IGNORE_UNFIXED, REQUIRE_COVERAGE, ALLOWLIST_B64; SCAN_TIMEOUT_SECONDS=5400, POLL_INTERVAL_SECONDS=15,
# ROLE_SESSION_RENEW_SECONDS=2700 (the invoker session is renewed this often, because a session
# assumed from CodeBuild's own role is limited to one hour by role chaining),
# START_RETRY_SECONDS=15 (the first wait before start-build is tried again while CodeBuild
# throttles or the account runs its maximum of concurrent builds; it doubles, up to 5 minutes).
# The scan policy values are checked by scan-image in the remote build, which fails on bad ones.
#
# Exit codes: 0 the remote scan passed · 1 the remote build ended otherwise (scan failed, scanner
# error, stopped, timed out, unknown status) · 2 bad input, or a scanner that speaks another contract
# version (nothing is started) · 3 the invoker role cannot be assumed ·
# 4 the build cannot be started (still throttled or at the account's build limit when
# SCAN_TIMEOUT_SECONDS ran out, or another error) · 5 no result within SCAN_TIMEOUT_SECONDS (remote
# build stopped) ·
# 6 interrupted (remote build stopped).
set -euo pipefail

say() { printf 'remote-scan: %s\n' "$*"; }
die() {
  local code=$1
  shift
  printf 'remote-scan: %s\n' "$*" >&2
  exit "$code"
}

seconds() { # seconds NAME DEFAULT: a non-negative integer setting
  local value=${!1:-$2}
  [[ $value =~ ^(0|[1-9][0-9]{0,6})$ ]] || die 2 "$1 must be a whole number of seconds, got '$value'"
  printf -v "$1" '%s' "$value"
}

[[ ${CLAIR_SCAN_CONTRACT:-} =~ ^[1-9][0-9]{0,3}$ ]] ||
  die 2 "CLAIR_SCAN_CONTRACT (the contract version this step speaks) must be a positive whole number, got '${CLAIR_SCAN_CONTRACT:-}'; run this script through its buildspec or \`clair-scan remote-scan\`"
# Lengths are checked apart from the patterns: a bounded repetition such as {1,1024} makes the regex
# library build an automaton of that size, which costs tens of milliseconds of CPU at every start.
[[ ${INVOKER_ROLE_ARN:-} =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_/-]+)$ && ${#BASH_REMATCH[1]} -le 512 ]] ||
  die 2 "INVOKER_ROLE_ARN must be an IAM role ARN, got '${INVOKER_ROLE_ARN:-}'"
[[ ${SCANNER_PROJECT_NAME:-} =~ ^[A-Za-z0-9][A-Za-z0-9_-]+$ && ${#SCANNER_PROJECT_NAME} -le 255 ]] ||
  die 2 "SCANNER_PROJECT_NAME must be a CodeBuild project name, got '${SCANNER_PROJECT_NAME:-}'"
[[ ${SCANNER_REGION:-} =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  die 2 "SCANNER_REGION must be an AWS region, got '${SCANNER_REGION:-}'"
case ${READINESS_ONLY:-false} in
  true) ;;
  false)
    # The strict image reference check happens in the remote build; this only stops the obviously
    # wrong before a build is started.
    [[ ${IMAGE_URI:-} =~ ^[^[:space:][:cntrl:]]+$ && ${#IMAGE_URI} -ge 3 && ${#IMAGE_URI} -le 1024 ]] ||
      die 2 "IMAGE_URI is required (registry/repository:tag or @sha256:digest), got '${IMAGE_URI:-}'"
    ;;
  *) die 2 "READINESS_ONLY must be true or false, got '$READINESS_ONLY'" ;;
esac
seconds SCAN_TIMEOUT_SECONDS 5400
seconds POLL_INTERVAL_SECONDS 15
seconds ROLE_SESSION_RENEW_SECONDS 2700
seconds START_RETRY_SECONDS 15

# The invoker session's credentials stay in these variables and reach only the aws calls made
# through as_invoker: never printed, never exported to anything else.
access_key="" secret_key="" session_token="" renew_at=0

# assume_invoker_role: a new invoker session, with this script's own credentials (CodeBuild's);
# the current session is kept unless the new one is complete.
assume_invoker_role() {
  local answer key secret token
  answer=$(aws sts assume-role --role-arn "$INVOKER_ROLE_ARN" \
    --role-session-name "clair-scan-${CODEBUILD_BUILD_NUMBER:-$$}" \
    --region "$SCANNER_REGION" --output json) || return 1
  {
    read -r key
    read -r secret
    read -r token
  } < <(jq -r '.Credentials | .AccessKeyId // "", .SecretAccessKey // "", .SessionToken // ""' <<<"$answer")
  [[ -n $key && -n $secret && -n $token ]] || return 1
  access_key=$key secret_key=$secret session_token=$token
  renew_at=$((SECONDS + ROLE_SESSION_RENEW_SECONDS))
}

# renew_if_due: called in this shell (not in a $(...) subshell), so that the new session is kept.
# If renewal fails, the current session (renewed well before it expires) still stops the build.
renew_if_due() {
  if ((SECONDS >= renew_at)) && ! assume_invoker_role; then
    stop_build "the invoker session could not be renewed"
    die 3 "cannot renew the session of $INVOKER_ROLE_ARN (see the aws error above); stopped remote build $build_id"
  fi
}

as_invoker() { # as_invoker AWS-ARGS...: an aws call with the invoker session
  AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key AWS_SESSION_TOKEN=$session_token \
    aws "$@" --region "$SCANNER_REGION" --output json
}

build_id=""

# stop_build REASON: stops the remote build, so that nothing keeps scanning after we gave up.
stop_build() {
  say "stopping remote build $build_id: $1"
  as_invoker codebuild stop-build --id "$build_id" >/dev/null ||
    printf 'remote-scan: could not stop remote build %s; stop it by hand\n' "$build_id" >&2
}

# build_report: the jq program of read_build. From a batch-get-builds answer, the build's status on
# the first line, then the lines to print about the build: status, log location and the failed
# phases' messages, with scan-image's exit status, CodeBuild's "exit status N", in words. Nothing
# when the answer holds no build. (A named program, so that its tests can run it on many builds.)
# shellcheck disable=SC2016 # $meaning is jq's, not the shell's
build_report='.builds[0] // empty | (.buildStatus // ""), (
  {"1": "vulnerabilities counted over the limit", "2": "bad input to scan-image",
    "3": "bad allowlist", "4": "registry credentials could not be fetched or were refused",
    "5": "klar, Clair or the registry failed, or the scan ran past its deadline",
    "6": "Clair not ready: its data is not loaded",
    "7": "not covered: Clair could not read the image (no OS, unread packages, or no data for its distribution)",
    "70": "internal error in scan-image"} as $meaning
  | "remote-scan: remote build \(.id): \(.buildStatus)",
  "remote-scan: logs: \(.logs.deepLink // "unknown")",
  "remote-scan: log group \(.logs.groupName // "unknown"), stream \(.logs.streamName // "unknown")",
  (.phases // [] | .[] | select(.phaseStatus != null and .phaseStatus != "SUCCEEDED")
   | "remote-scan: phase \(.phaseType) \(.phaseStatus): \([.contexts // [] | .[].message] | join("; "))",
     ([.contexts // [] | .[].message | strings | capture("exit status (?<n>[0-9]+)").n] | last // empty
      | "remote-scan: scan-image exit status \(.): \($meaning[.] // "an exit status scan-image does not define")")))'

# read_build: one status read. Sets status and report from one jq (build_report); both are empty
# when the status cannot be read. Called in this shell, so that they are kept.
read_build() {
  status="" report=""
  {
    read -r status
    IFS= read -r -d '' report
  } < <(as_invoker codebuild batch-get-builds --ids "$build_id" | jq -r "$build_report") || true
  report=${report%$'\n'}
}

# check_contract: the scanner project publishes the contract version it speaks (CLAIR_SCAN_CONTRACT
# in its environment); anything but this script's version fails here, before a build is started.
check_contract() {
  local answer found scanner account where
  IFS=: read -r _ _ _ _ account _ <<<"$INVOKER_ROLE_ARN"
  where="$SCANNER_PROJECT_NAME in account $account, $SCANNER_REGION"
  if ! answer=$(as_invoker codebuild batch-get-projects --names "$SCANNER_PROJECT_NAME" 2>"$aws_errors"); then
    cat "$aws_errors" >&2
    grep -q '(AccessDeniedException)' "$aws_errors" ||
      die 4 "cannot read the contract version of the scanner $where (see the aws error above)"
    scanner="none (its invoker role may not read it: the scanner predates contract versions)"
  else
    # One jq: the number of projects found, a space, the contract version of the first.
    found=$(jq -r --arg name CLAIR_SCAN_CONTRACT '"\(.projects | length) \([.projects[0].environment.environmentVariables
      // [] | .[] | select(.name == $name) | .value][0] // "none")"' <<<"$answer")
    scanner=${found#* } found=${found%% *}
    ((found == 1)) || die 4 "the scanner project $where does not exist; check SCANNER_PROJECT_NAME and SCANNER_REGION"
  fi
  if [[ $scanner == "$CLAIR_SCAN_CONTRACT" ]]; then
    say "the scanner speaks contract $scanner, as this step does"
  elif [[ $scanner =~ ^[0-9]+$ ]] && ((scanner > CLAIR_SCAN_CONTRACT)); then
    die 2 "contract mismatch: this step speaks contract $CLAIR_SCAN_CONTRACT, the scanner $where speaks $scanner; upgrade this step (@clair-pipeline/scan, or the buildspec it came with) to a version that speaks contract $scanner"
  else
    die 2 "contract mismatch: this step speaks contract $CLAIR_SCAN_CONTRACT, the scanner $where speaks $scanner; upgrade the scanner (deploy a clair-pipeline release that speaks contract $CLAIR_SCAN_CONTRACT to that account)"
  fi
}

aws_errors=$(mktemp)
trap 'rm -f "$aws_errors"' EXIT
assume_invoker_role || die 3 "cannot assume INVOKER_ROLE_ARN $INVOKER_ROLE_ARN (see the aws error above)"
say "assumed $INVOKER_ROLE_ARN"
check_contract
if [[ ${READINESS_ONLY:-false} == true ]]; then
  say "checking that the scanner's Clair is ready"
else
  say "scanning $IMAGE_URI"
fi

# Only what is set here overrides the scanner project's own defaults for its environment.
names=()
for name in ALLOWLIST_B64 COUNT_UNKNOWN IGNORE_UNFIXED IMAGE_URI MAX_VULNERABILITIES READINESS_ONLY REQUIRE_COVERAGE SEVERITY; do
  if [[ -n ${!name:-} ]]; then names+=("$name"); fi
done
overrides=$(jq -cn '[$ARGS.positional[] | {name: ., value: $ENV[.], type: "PLAINTEXT"}]' --args "${names[@]}")

# Starting counts against the bound too. While CodeBuild throttles or the account already runs
# its maximum of concurrent builds (a new account allows few), wait and try again, each wait
# twice the last (at most 5 minutes); any other error fails at once.
started_at=$SECONDS
retry_in=$START_RETRY_SECONDS
until started=$(as_invoker codebuild start-build --project-name "$SCANNER_PROJECT_NAME" \
  --environment-variables-override "$overrides" 2>"$aws_errors"); do
  cat "$aws_errors" >&2
  reason=$(grep -oE '\((ThrottlingException|AccountLimitExceededException)\)' "$aws_errors" | head -n 1) ||
    die 4 "cannot start a build of $SCANNER_PROJECT_NAME in $SCANNER_REGION (see the aws error above)"
  left=$((SCAN_TIMEOUT_SECONDS - (SECONDS - started_at)))
  if ((left <= 0)); then
    die 4 "cannot start a build of $SCANNER_PROJECT_NAME in $SCANNER_REGION: still refused $reason when SCAN_TIMEOUT_SECONDS=$SCAN_TIMEOUT_SECONDS ran out"
  fi
  wait_for=$((retry_in < left ? retry_in : left))
  printf 'remote-scan: start-build refused %s; trying again in %s s\n' "$reason" "$wait_for" >&2
  sleep "$wait_for"
  retry_in=$((retry_in * 2 > 300 ? 300 : retry_in * 2))
  if ((SECONDS >= renew_at)) && ! assume_invoker_role; then
    die 3 "cannot renew the session of $INVOKER_ROLE_ARN (see the aws error above); no build was started"
  fi
done
build_id=$(jq -r '.build.id // empty' <<<"$started")
[[ -n $build_id ]] || die 4 "start-build of $SCANNER_PROJECT_NAME returned no build id"
trap 'stop_build "interrupted"; die 6 "interrupted; remote build $build_id stopped"' INT TERM
printf -v listed '%s, ' "${names[@]}"
say "started remote build $build_id (overrides: ${listed%, })"

while :; do
  # A failed or unreadable status is retried until the bound: throttling must not fail a scan.
  renew_if_due
  read_build
  if [[ -n $status && $status != IN_PROGRESS ]]; then
    break
  fi
  if ((SECONDS - started_at >= SCAN_TIMEOUT_SECONDS)); then
    stop_build "no result after $SCAN_TIMEOUT_SECONDS s"
    if [[ -n $report ]]; then printf '%s\n' "$report"; fi
    die 5 "remote build $build_id did not finish within SCAN_TIMEOUT_SECONDS=$SCAN_TIMEOUT_SECONDS; stopped it"
  fi
  if [[ -z $status ]]; then
    printf 'remote-scan: could not read the status of %s; retrying\n' "$build_id" >&2
  fi
  sleep "$POLL_INTERVAL_SECONDS"
done

printf '%s\n' "$report"
if [[ $status == SUCCEEDED ]]; then
  say "scan passed"
  exit 0
fi
die 1 "remote build $build_id ended $status: the scan did not pass (its log above says why)"
