# shellcheck shell=bash
# Sourced by the stubs to log each call as one JSON line, built in bash because jq starts slowly
# and this runs on every call.

# json_string VAR VALUE: sets VAR to VALUE as a JSON string.
json_string() {
  local s=${2//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  printf -v "$1" '"%s"' "$s"
}

# json_array VAR VALUE...: sets VAR to the VALUEs as a JSON list of strings.
json_array() {
  local var=$1 list="" item
  shift
  for item in "$@"; do
    json_string item "$item"
    list+="${list:+,}$item"
  done
  printf -v "$var" '[%s]' "$list"
}

# log_call FILE FIELD...: appends a JSON object to FILE. A FIELD is NAME:=JSON (taken as is),
# NAME=VALUE (a string), or NAME alone (that environment variable, or null when unset).
log_call() {
  local file=$1 line="" field name value
  shift
  for field in "$@"; do
    if [[ $field == *:=* ]]; then
      name=${field%%:=*}
      value=${field#*:=}
    elif [[ $field == *=* ]]; then
      name=${field%%=*}
      json_string value "${field#*=}"
    elif [[ -v $field ]]; then
      name=$field
      json_string value "${!field}"
    else
      name=$field
      value=null
    fi
    line+="${line:+,}\"$name\":$value"
  done
  printf '{%s}\n' "$line" >>"$file"
}
